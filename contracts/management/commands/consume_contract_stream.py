"""python manage.py consume_contract_stream --contract ID: hold a contract's stream to it."""

from __future__ import annotations

import signal
from typing import Any

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.enforcement import selectors, streams
from contracts.registry.selectors import find_contract


class Command(BaseCommand):
    help = (
        "Consume a contract's Redis stream: valid records go on to contracts:<id>:valid, "
        "the others to the dead-letter store; SLA breaches alert producer and consumers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contract", type=int, required=True, help="The contract's id.")
        parser.add_argument("--stream", help="Default: contracts:<id>:records.")
        parser.add_argument("--output", help="Default: contracts:<id>:valid.")
        parser.add_argument("--group", default=streams.DEFAULT_GROUP)
        parser.add_argument("--consumer", help="Default: host name and process id.")
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--block-ms", type=int, default=5_000)
        parser.add_argument("--max-messages", type=int, help="Stop after this many messages.")
        parser.add_argument(
            "--claim-idle-ms",
            type=int,
            default=60_000,
            help="Take over messages pending this long with a consumer that went away.",
        )
        parser.add_argument(
            "--until-empty", action="store_true", help="Stop at the first read that finds nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = settings.REDIS_URL
        if not url:
            raise CommandError("Set REDIS_URL: the real-time path reads a Redis stream.")
        for name in ("batch_size", "block_ms", "claim_idle_ms", "max_messages"):
            value = options.get(name)
            if value is not None and value < (1 if name != "block_ms" else 0):
                raise CommandError(f"--{name.replace('_', '-')} must be positive.")
        contract = find_contract(options["contract"])
        if contract is None:
            raise CommandError(f"No contract with id {options['contract']}.")
        consumer = streams.ContractStreamConsumer(
            client=redis.Redis.from_url(url),
            contract=contract,
            stream=options.get("stream"),
            output=options.get("output"),
            group=options["group"],
            consumer=options.get("consumer"),
            batch_size=options["batch_size"],
            claim_idle_ms=options["claim_idle_ms"],
        )
        stopping = {"now": False}

        def stop(signum: int, frame: Any) -> None:
            stopping["now"] = True  # finish the batch in hand, then leave

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            consumer.start()
        except selectors.NoPublishedVersionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Consuming {consumer.stream} as {consumer.consumer} in group {consumer.group}."
        )
        stats = consumer.consume(
            max_messages=options.get("max_messages"),
            block_ms=options["block_ms"],
            until_empty=options["until_empty"],
            should_stop=lambda: stopping["now"],
        )
        self.stdout.write(
            f"Read {stats.read} messages ({stats.reclaimed} taken over): "
            f"{stats.stored_valid} valid, {stats.stored_dead} dead-lettered, "
            f"{stats.forwarded} forwarded to {consumer.output}."
        )
