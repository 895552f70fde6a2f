"""Dashboard panel: what a user looks after, with one-click ways to post."""

from django.db.models import Count, Q
from django.urls import reverse
from wagtail.admin.ui.components import Component

from .models import Municipality
from .permissions import is_prefecture_staff, municipality_ids_for_user


class MunicipalitySummaryPanel(Component):
    name = "municipality_summary"
    order = 50
    template_name = "core/panels/municipality_summary.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context):
        from cms.listings.models import (
            AkiyaListingPage,
            EventPage,
            RecruitmentPage,
            TrialStayPage,
        )
        from cms.pages.models import MunicipalityPage

        staff = is_prefecture_staff(self.user)
        ids = municipality_ids_for_user(self.user)
        kinds = [
            (AkiyaListingPage, "akiya", "akiya_listings"),
            (EventPage, "events", "event_listings"),
            (TrialStayPage, "trial-stays", "trial_stay_listings"),
            (RecruitmentPage, "recruitment", "recruitment_listings"),
        ]
        rows = []
        for model, section_slug, listing_name in kinds:
            counts = model.objects.filter(municipality__in=ids).aggregate(
                live_count=Count("pk", filter=Q(live=True)),
                draft_count=Count("pk", filter=Q(live=False)),
            )
            rows.append(
                {
                    "label": model._meta.verbose_name,
                    "live": counts["live_count"],
                    "draft": counts["draft_count"],
                    "list_url": reverse(f"{listing_name}:index"),
                    "section_slug": section_slug,
                    "model": model,
                }
            )

        towns = []
        if not staff:
            pages = MunicipalityPage.objects.filter(
                municipality__in=ids
            ).select_related("municipality")
            for page in pages:
                sections = {child.slug: child for child in page.get_children()}
                towns.append(
                    {
                        "name": page.municipality.name,
                        "explore_url": reverse("wagtailadmin_explore", args=[page.pk]),
                        "add_links": [
                            {
                                "label": row["label"],
                                "url": reverse(
                                    "wagtailadmin_pages:add",
                                    args=[
                                        row["model"]._meta.app_label,
                                        row["model"]._meta.model_name,
                                        sections[row["section_slug"]].pk,
                                    ],
                                ),
                            }
                            for row in rows
                            if row["section_slug"] in sections
                        ],
                    }
                )
        return {
            "staff": staff,
            "rows": rows,
            "towns": towns,
            "municipality_count": Municipality.objects.count() if staff else len(ids),
        }
