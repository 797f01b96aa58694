"""Contract enforcement: records held to the latest published version of their contract.

records.py reads uploaded batches; predicates.py and judging.py validate records and judge the
SLA (pure, no Django); services.py creates runs and queues them, batches.py runs a claimed one
(the Celery task's side), breaches.py stores breaches and alerts, streams.py is the Redis
Streams consumer; selectors.py reads; views.py and forms.py are the pages.
"""
