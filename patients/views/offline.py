"""The service worker's script and the list of pages it saves for offline use."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from patients import offline
from patients.access import patient_required
from patients.views.shared import offline_owner


@require_GET
def service_worker(request):
    """`/plan/sw.js`: the service worker that keeps the plan usable offline. Served from here,
    not /static/, so that its scope is /plan/; public, because it holds nobody's data and the
    browser re-checks it even after a sign-in has expired."""
    response = HttpResponse(
        offline.service_worker_script(), content_type="text/javascript; charset=utf-8"
    )
    # The browser must re-check it on each visit: a deploy's new version replaces the caches.
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@require_GET
@patient_required
@offline_owner
def offline_manifest(request, *, patient):
    """`/plan/offline.json`: the pages and pictures of this patient's coming week that the
    service worker saves after each visit online."""
    return JsonResponse(offline.precache_manifest(patient))
