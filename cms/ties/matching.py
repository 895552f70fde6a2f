"""Matching with the database: turns members and programs into the pure
``rules.Profile`` and ranks them with ``rules.rank``."""

from django.conf import settings
from django.utils import timezone

from . import rules
from .models import (
    Involvement,
    MemberStatus,
    ProgramStatus,
    TiesMember,
    public_programs,
)

LABELS = dict(Involvement.choices)


def member_profile(member) -> rules.Profile:
    return rules.Profile(
        skills=tuple(member.skills),
        interests=tuple(member.interests),
        regions=tuple(m.name for m in member.regions.all()),
        involvements=tuple(member.involvements),
    )


def program_profile(program) -> rules.Profile:
    return rules.Profile(
        skills=tuple(program.skills_wanted),
        interests=tuple(program.interests),
        regions=(program.municipality.name,) if program.municipality else (),
        involvements=tuple(program.involvements),
    )


def programs_for(member, programs=None, limit=None):
    """Open programs for ``member``, best first: ``[(program, Match)]``."""
    if programs is None:
        programs = public_programs().filter(
            status=ProgramStatus.OPEN, deadline__gte=timezone.localdate()
        )
    programs = programs.select_related("municipality").exclude(
        applications__member=member
    )
    profile = member_profile(member)
    found = rules.rank(
        list(programs.order_by("deadline", "pk")),
        program_profile,
        profile,
        LABELS,
    )
    # Ties keep the query's order (deadline, then pk): sort is stable.
    return found[: limit or settings.TIES["RECOMMENDATIONS"]] if limit != 0 else found


def members_for(program, limit=20):
    """Active members to suggest to the host, best first: ``[(member, Match)]``."""
    target = program_profile(program)
    found = []
    members = (
        TiesMember.objects.filter(status=MemberStatus.ACTIVE)
        .exclude(applications__program=program)
        .prefetch_related("regions")
        .order_by("pk")
    )
    for member in members:
        m = rules.match(member_profile(member), target, LABELS)
        if m.score > 0:
            found.append((member, m))
    found.sort(key=lambda pair: -pair[1].score)
    return found[:limit]
