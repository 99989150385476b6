"""Write one self-contained strict schema per Kubernetes version for the kinds okrbot deploys.

Reads the schemas that the kubernetes-validate wheel ships (one file per kind, `$ref`s into a
shared `_definitions.json` of the whole API) and keeps only the definitions these kinds reach,
so that a test can validate without the wheel or the network: each kind is the definition named
after its file (`deployment-apps-v1`). Descriptions, and each kind's `$id` and `$schema`, are
dropped; every keyword that validates is kept as published.

    python tests/schemas/kubernetes/extract.py PATH/TO/kubernetes_validate/kubernetes-json-schema
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

VERSIONS = ("1.30.0", "1.37.0")
KINDS = (
    "configmap-v1",
    "cronjob-batch-v1",
    "deployment-apps-v1",
    "job-batch-v1",
    "poddisruptionbudget-policy-v1",
    "secret-v1",
    "service-v1",
)
# A kind's file points into the shared file by path; the shared file into itself by fragment.
SHARED = ("/api/_definitions.json#/$defs/", "#/$defs/")


def localised(node: Any, reached: set[str], queue: list[str]) -> Any:
    """Copy a schema node without descriptions, pointing each `$ref` into this file's `$defs`."""
    if isinstance(node, list):
        return [localised(item, reached, queue) for item in node]
    if not isinstance(node, dict):
        return node
    copy: dict[str, Any] = {}
    for key, value in node.items():
        # A kind's own `$id` and `$schema` would make its references resolve elsewhere.
        if key in {"description", "$id", "$schema"}:
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith(SHARED):
            name = value.split("#/$defs/", 1)[1]
            if name not in reached:
                reached.add(name)
                queue.append(name)
            copy[key] = f"#/$defs/{name}"
        else:
            copy[key] = localised(value, reached, queue)
    return copy


def extract(source: Path, version: str) -> dict[str, Any]:
    folder = source / f"v{version}-local-strict"
    shared = json.loads((folder / "_definitions.json").read_text())["$defs"]
    reached: set[str] = set()
    queue: list[str] = []
    definitions: dict[str, Any] = {
        kind: localised(json.loads((folder / f"{kind}.json").read_text()), reached, queue)
        for kind in KINDS
    }
    while queue:
        name = queue.pop()
        definitions[name] = localised(shared[name], reached, queue)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": dict(sorted(definitions.items())),
    }


def main() -> None:
    source = Path(sys.argv[1])
    here = Path(__file__).parent
    for version in VERSIONS:
        schema = extract(source, version)
        target = here / f"v{version}-strict.json"
        target.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n")
        print(f"{target.name}: {len(schema['$defs'])} definitions")


if __name__ == "__main__":
    main()
