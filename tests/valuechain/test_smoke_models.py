import pytest

from tests.factories import CuratedDatasetFactory, FeatureFactory, IdeaFactory, NeedFactory
from valuechain.ideas import selectors


@pytest.mark.django_db
def test_roi_report_charges_an_unavailable_feature_once():
    curated = CuratedDatasetFactory(available=True)
    feature = FeatureFactory(
        available=False,
        build_low=600,
        build_likely=600,
        build_high=600,
        feasibility=1.0,
        curated_datasets=[curated],
    )
    idea = IdeaFactory(benefit_low=1000, benefit_likely=1000, benefit_high=1000)
    NeedFactory(idea=idea, feature=feature, weight=1)
    NeedFactory(idea=idea, feature=feature, weight=1)

    report = selectors.roi_report(selectors.ideas().get(pk=idea.pk))

    assert report.one_off_investment == pytest.approx(600)
    # the feature is not built yet, so its curated input is in the closure: tier 2
    assert report.tier == 2
