"""The Redis streams a contract's records flow through, for other applications to subscribe to.

* ``contracts:<id>:records``: what producers add (the stream consumer reads it in a group);
* ``contracts:<id>:valid``: records the producer's latest version accepts;
* ``contracts:<id>:valid:v<major>``: records the version consumers pinned to that major accept
  (each consumer reads its own major's stream);
* ``contracts:<id>:dead``: dead letters, with who rejects them and why.

Every stream is bounded (XADD MAXLEN ~, VALUECHAIN["VALID_STREAM_MAXLEN"] and
["DEAD_STREAM_MAXLEN"]); the database keeps what the pages and the API need.

Each forward happens once: the stream consumer forwards a message only when its XACK
acknowledged it (one Lua script, one round trip per batch), and a replayed dead letter is
forwarded only when its marker key is set for the first time (SET NX, in the same script).
"""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings

MARKER_TTL_SECONDS = 30 * 86_400  # a replay marker outlives any retry of its task


def valid_maxlen() -> int:
    return int(settings.VALUECHAIN.get("VALID_STREAM_MAXLEN", 100_000))


def dead_maxlen() -> int:
    return int(settings.VALUECHAIN.get("DEAD_STREAM_MAXLEN", 100_000))


def records_stream(contract_id: int) -> str:
    return f"contracts:{contract_id}:records"


def valid_stream(contract_id: int) -> str:
    return f"contracts:{contract_id}:valid"


def major_stream(contract_id: int, major: int) -> str:
    return f"contracts:{contract_id}:valid:v{major}"


def dead_stream(contract_id: int) -> str:
    return f"contracts:{contract_id}:dead"


def replay_marker(contract_id: int, dead_letter_id: int, version: str) -> str:
    return f"contracts:{contract_id}:replayed:{dead_letter_id}:{version}"


# KEYS: records, valid, dead, then one stream per consumer major.
# ARGV: group, valid maxlen, dead maxlen, then per message five values: id, record JSON,
# "1" when the latest version accepts it, the dead letter's JSON ("" for none), and a mask of
# "0"/"1", one per consumer major stream, saying which accept it.
ACK_AND_ROUTE = """
local forwarded = 0
for i = 4, #ARGV, 5 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    if ARGV[i + 2] == '1' then
      redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
                 'record', ARGV[i + 1], 'source_id', ARGV[i])
      forwarded = forwarded + 1
    end
    if ARGV[i + 3] ~= '' then
      redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*',
                 'dead_letter', ARGV[i + 3], 'source_id', ARGV[i])
    end
    local mask = ARGV[i + 4]
    for j = 1, #mask do
      if string.sub(mask, j, j) == '1' then
        redis.call('XADD', KEYS[3 + j], 'MAXLEN', '~', ARGV[2], '*',
                   'record', ARGV[i + 1], 'source_id', ARGV[i])
      end
    end
  end
end
return forwarded
"""

# KEYS: one marker per replayed dead letter, then the streams it goes to.
# ARGV: marker TTL, maxlen, then per dead letter: its record JSON, its source id, and the
# count n of streams followed by n indices into KEYS (offset past the markers).
REPLAY_FORWARD = """
local count = tonumber(ARGV[3])
local forwarded = 0
local a = 4
for m = 1, count do
  local record, source, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local fresh = redis.call('SET', KEYS[m], '1', 'NX', 'EX', ARGV[1])
  for j = 1, n do
    if fresh then
      redis.call('XADD', KEYS[tonumber(ARGV[a + 2 + j])], 'MAXLEN', '~', ARGV[2], '*',
                 'record', record, 'source_id', source, 'replayed', '1')
    end
  end
  if fresh then forwarded = forwarded + 1 end
  a = a + 3 + n
end
return forwarded
"""


def redis_client() -> Any:
    """The Redis of REDIS_URL, or None when the app runs without one (nothing is published)."""
    url = getattr(settings, "REDIS_URL", "")
    return redis.Redis.from_url(url) if url else None
