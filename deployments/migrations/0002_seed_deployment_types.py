"""Seed the four deployment type profiles with their facts and typical costs (editable)."""

from django.db import migrations


def _estimate(prefix, low, likely, high):
    return {f"{prefix}_low": low, f"{prefix}_likely": likely, f"{prefix}_high": high}


TYPES = [
    {
        "kind": "batch",
        "name": "Batch",
        "description": (
            "The model runs inside an ETL/ELT job on a schedule: it loads features from batch "
            "storage and writes predictions back to batch storage. It is often wrongly thought "
            "useless for real-time use: when the inputs can be enumerated ahead, predictions "
            "can be loaded into real-time storage and served from there."
        ),
        "typical_latency": (
            "Predictions are as old as the last run (hours to a day); a lookup in real-time "
            "storage answers in milliseconds."
        ),
        "typical_latency_ms": 3_600_000.0,
        "requirements": (
            "A scheduler and batch storage for features and predictions; a key-value store "
            "when predictions are served in real time."
        ),
        "needs_online_features": False,
        **_estimate("setup", 5_000.0, 10_000.0, 20_000.0),
        **_estimate("run", 2_000.0, 5_000.0, 10_000.0),
        **_estimate("realtime_storage_setup", 3_000.0, 6_000.0, 12_000.0),
        **_estimate("realtime_storage_run", 3_000.0, 6_000.0, 12_000.0),
    },
    {
        "kind": "stream",
        "name": "Stream",
        "description": (
            "The model is embedded in a stream processing application: data flows through it "
            "continuously and inference results go to another stream that many applications "
            "can subscribe to."
        ),
        "typical_latency": "100 ms to a few seconds, asynchronously.",
        "typical_latency_ms": 500.0,
        "requirements": (
            "A stream platform and an input data contract; usually a real-time feature store "
            "serving API for the static features."
        ),
        "needs_online_features": True,
        **_estimate("setup", 30_000.0, 60_000.0, 120_000.0),
        **_estimate("run", 20_000.0, 40_000.0, 80_000.0),
        **_estimate("online_feature_setup", 2_000.0, 4_000.0, 8_000.0),
        **_estimate("online_feature_run", 1_000.0, 2_000.0, 4_000.0),
    },
    {
        "kind": "request_response",
        "name": "Request-response",
        "description": (
            "The model is a backend service (REST or gRPC) that fetches features from a "
            "real-time feature store serving API; any application that can form a request "
            "matching the API contract can ask for a prediction."
        ),
        "typical_latency": "10-200 ms per request.",
        "typical_latency_ms": 100.0,
        "requirements": (
            "A model service with an API contract, autoscaling, and a real-time feature store "
            "serving API."
        ),
        "needs_online_features": True,
        **_estimate("setup", 15_000.0, 30_000.0, 60_000.0),
        **_estimate("run", 10_000.0, 25_000.0, 50_000.0),
        **_estimate("online_feature_setup", 2_000.0, 4_000.0, 8_000.0),
        **_estimate("online_feature_run", 1_000.0, 2_000.0, 4_000.0),
    },
    {
        "kind": "edge",
        "name": "Edge",
        "description": (
            "The model is embedded in the application on the user's device: the lowest "
            "latency and better privacy, with the data mostly generated and kept on the device."
        ),
        "typical_latency": "1-50 ms, no network round trip.",
        "typical_latency_ms": 10.0,
        "requirements": (
            "A model compressed to fit the device, an on-device runtime for each platform, and "
            "a way to ship model updates with the application."
        ),
        "needs_online_features": False,
        **_estimate("setup", 20_000.0, 40_000.0, 80_000.0),
        **_estimate("run", 5_000.0, 10_000.0, 20_000.0),
        **_estimate("compression", 5_000.0, 15_000.0, 30_000.0),
        **_estimate("device_runtime", 3_000.0, 8_000.0, 15_000.0),
    },
]


def seed(apps, schema_editor):
    DeploymentType = apps.get_model("deployments", "DeploymentType")
    for profile in TYPES:
        values = dict(profile)
        kind = values.pop("kind")
        DeploymentType.objects.update_or_create(kind=kind, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("deployments", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
