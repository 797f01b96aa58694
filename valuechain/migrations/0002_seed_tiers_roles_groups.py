"""Seed the four tier profiles, their default roles and the user groups."""

from django.db import migrations

ROLES = {
    "Data scientist": 900.0,
    "ML engineer": 950.0,
    "Analytics engineer": 800.0,
    "Data engineer": 850.0,
    "Software engineer": 850.0,
}

TIERS = [
    # tier, label, asset label, band, default feasibility, default roles, description
    (1, "Engineered features", "Feature store", "minimal", 0.95,
     ["Data scientist", "ML engineer"],
     "Features already in the feature store: a proof of concept can start at once."),
    (2, "Curated data", "Golden data", "minimal_to_medium", 0.90,
     ["Analytics engineer", "Data engineer"],
     "Quality-assured data with SLAs met: features still have to be engineered from it."),
    (3, "Raw data", "Raw sources", "medium_to_high", 0.75,
     ["Data engineer"],
     "Is it current, does it arrive regularly, can quality and SLAs be ensured? "
     "Negative ROI often starts here."),
    (4, "Data acquisition", "External systems", "high", 0.60,
     ["Software engineer", "Data engineer"],
     "Acquiring data from external systems: most ideas turn negative here."),
]

GROUPS = ["Product managers", "Data leads", "Executives"]


def seed(apps, schema_editor):
    Role = apps.get_model("valuechain", "Role")
    TierProfile = apps.get_model("valuechain", "TierProfile")
    Group = apps.get_model("auth", "Group")
    roles = {}
    for name, rate in ROLES.items():
        roles[name], _ = Role.objects.get_or_create(name=name, defaults={"day_rate": rate})
    for tier, label, asset_label, band, feasibility, role_names, description in TIERS:
        profile, _ = TierProfile.objects.update_or_create(
            tier=tier,
            defaults={
                "label": label,
                "asset_label": asset_label,
                "investment_band": band,
                "default_feasibility": feasibility,
                "description": description,
            },
        )
        profile.default_roles.set([roles[name] for name in role_names])
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("valuechain", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
