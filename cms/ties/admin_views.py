"""Admin screens beyond the viewsets: the KPI page (関係人口のKPI) and the
handover exports (CSV per table, JSON of everything). 関係人口担当 and
prefecture staff only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import is_ties_staff

from . import export, kpis


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not is_ties_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _month(value: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in (value or "").split("-", 1))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


class KpiView(StaffView):
    page_title = "関係人口のKPI"
    template_name = "ties/admin/kpis.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = _month(self.request.GET.get("month"))
        context.update(
            kpi=kpis.build(month=(year, month)),
            month_value=f"{year:04d}-{month:02d}",
            year=year,
            month=month,
            datasets=[(k, label) for k, (label, _) in export.DATASETS.items()],
        )
        return context


class ExportView(StaffView):
    def get(self, request, *args, **kwargs):
        name, fmt = kwargs["name"], kwargs["fmt"]
        if name != "all" and name not in export.DATASETS:
            raise Http404
        if fmt == "csv" and name != "all":
            body, content_type = export.to_csv(name), "text/csv; charset=utf-8"
        elif fmt == "json":
            body = export.to_json(None if name == "all" else name)
            content_type = "application/json"
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="ties-{name}-{stamp}.{fmt}"'
        )
        return response
