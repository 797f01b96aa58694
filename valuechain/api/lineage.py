"""Lineage graphs through the API: GET /api/ideas/{id}/lineage/ and
GET /api/lineage/{asset_type}/{id}/ give the same graph the pages draw (nodes with tier,
availability, charged and positions; edges from upstream to downstream)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from valuechain import models as m
from valuechain.api.viewsets import checked_id
from valuechain.lineage import graph

_NODE = inline_serializer(
    "LineageNode",
    {
        "id": serializers.CharField(),
        "asset_type": serializers.CharField(allow_null=True),
        "asset_id": serializers.IntegerField(allow_null=True),
        "name": serializers.CharField(),
        "tier": serializers.IntegerField(allow_null=True),
        "available": serializers.BooleanField(),
        "charged": serializers.BooleanField(),
        "root": serializers.BooleanField(),
        "url": serializers.CharField(allow_null=True),
        "position": serializers.DictField(child=serializers.FloatField()),
    },
    many=True,
)
_EDGE = inline_serializer(
    "LineageEdge",
    {
        "id": serializers.CharField(),
        "source": serializers.CharField(),
        "target": serializers.CharField(),
        "label": serializers.CharField(),
    },
    many=True,
)
LINEAGE = inline_serializer(
    "Lineage",
    {
        "title": serializers.CharField(),
        "truncated": serializers.BooleanField(),
        "charged_count": serializers.IntegerField(),
        "nodes": _NODE,
        "edges": _EDGE,
    },
)


class IdeaLineageView(APIView):
    """The upstream closure of the idea's needs; the idea is the node with a null asset_type."""

    @extend_schema(responses=LINEAGE, summary="An idea's lineage graph")
    def get(self, request: Request, idea_pk: str) -> Response:
        idea = get_object_or_404(m.Idea, pk=checked_id(idea_pk))
        return Response(graph.idea_graph(idea).to_data())


class AssetLineageView(APIView):
    """The upstream closure of one catalogue asset."""

    @extend_schema(responses=LINEAGE, summary="An asset's lineage graph")
    def get(self, request: Request, asset_type: str, pk: str) -> Response:
        found = graph.asset_graph(asset_type, checked_id(pk))
        if found is None:
            raise Http404("No such asset.")
        return Response(found.to_data())
