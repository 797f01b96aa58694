"""The reference ODCS examples kept with the tests, and small ODCS documents written for them."""

from __future__ import annotations

from pathlib import Path

# The standard's public examples and its JSON Schema, copied unchanged (see README.md there).
REFERENCE_DIR = Path(__file__).resolve().parent / "fixtures" / "odcs"


def reference_examples() -> list[Path]:
    return sorted(REFERENCE_DIR.glob("*.odcs.yaml"))


NESTED = """\
apiVersion: v3.1.0
kind: DataContract
id: orders-contract
name: orders
version: 2.3.0
status: active
description:
  purpose: Orders placed in the web shop, one record per order.
team:
  name: checkout-team
  members:
    - username: alice
      role: Owner
    - username: bob
      role: Data Engineer
roles:
  - role: churn_model
    access: read
  - role: loader
    access: write
slaProperties:
  - property: latency
    value: 30
    unit: m
  - property: frequency
    value: 1
    unit: h
schema:
  - name: orders
    physicalType: table
    businessName: Order
    description: An order placed by a customer
    properties:
      - name: order_id
        description: Identifier of the order, unique in the shop
        logicalType: string
        required: true
        primaryKey: true
        logicalTypeOptions:
          pattern: "^O[0-9]+$"
          maxLength: 12
      - name: amount
        logicalType: number
        required: true
        logicalTypeOptions:
          minimum: 0
        quality:
          - metric: nullValues
            mustBeLessThan: 1
            unit: percent
            schedule: "0 * * * *"
      - name: placed_on
        logicalType: date
        logicalTypeOptions:
          format: yyyy-MM-dd
      - name: quantity
        logicalType: integer
        logicalTypeOptions:
          format: i32
          maximum: 1000
      - name: customer
        logicalType: object
        required: true
        properties:
          - name: id
            logicalType: string
            required: true
          - name: email
            logicalType: string
            logicalTypeOptions:
              format: email
            quality:
              - metric: missingValues
                mustBeLessOrEqualTo: 5
                unit: percent
      - name: lines
        logicalType: array
        logicalTypeOptions:
          minItems: 1
        items:
          logicalType: object
          properties:
            - name: sku
              logicalType: string
              required: true
            - name: qty
              logicalType: integer
"""
