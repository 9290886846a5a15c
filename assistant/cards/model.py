"""The XR step card: plain, validated data with a published JSON Schema (`stepcard.schema.json`).

Every line a technician sees carries a citation whose quote is a verbatim slice of a library chunk,
so a card can be checked against the manual line by line.

>>> card = StepCard(title="3.1 Replacing the return-line filter element", task="replace the filter",
...     language="en", steps=[Step(number=1, instruction="Stop the unit.", citations=[
...     Citation(chunk_id="ab12", doc="hp3_pump_manual.pdf", page=3, quote="Stop the unit.")])])
>>> card.steps[0].citations[0].page
3
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..types import Citation  # the one citation type, shared with answers

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("stepcard.schema.json")
MAX_INSTRUCTION = 280  # what a HoloLens / RealWear card shows without scrolling

Level = Literal["danger", "warning", "caution", "note"]


class _Model(BaseModel):
    # extra="forbid": the published schema says additionalProperties=false, so a typo in a consumer's
    # hand-edited card is caught instead of silently ignored.
    model_config = ConfigDict(extra="forbid")


class SafetyNote(_Model):
    """A warning, caution, danger or note, as the manual words it. `step` is the card step it stands
    before (None: it applies to the whole task)."""

    level: Level
    text: str
    step: int | None = None
    citation: Citation


class Tool(_Model):
    """A tool, part, consumable or item of personal protective equipment (kind "ppe": gloves, safety
    glasses, hearing protection ...) needed for the task, listed up front."""

    name: str
    kind: Literal["tool", "part", "consumable", "ppe"] = "tool"
    part_number: str | None = None
    quantity: str | None = None
    citation: Citation


class Spec(_Model):
    """A value the step depends on, exactly as the manual writes it (e.g. 25 N·m)."""

    name: str
    value: str
    unit: str
    citation: Citation


class MediaRef(_Model):
    """A page or figure of the source document to show next to the step. A figure the library has
    recorded carries its page (which may not be the step's) and its region of that page, `bbox`."""

    kind: Literal["page", "figure"]
    doc: str
    page: int = Field(ge=1)
    label: str | None = None
    bbox: list[float] | None = Field(None, min_length=4, max_length=4,
                                     description="The figure's region of the page: [x0, y0, x1, y1] in PDF points from the "
                                                 "page's top-left corner; null when the figure's region is not known.")


class Precondition(_Model):
    text: str
    citation: Citation


class Branch(_Model):
    """Where a decision step sends the technician ("If yes, go to step 3."), read from the step's own
    verbatim text. `goto` is the card step to go to; None where the jump leaves the card or the branch
    only says what to do."""

    condition: str = Field(description="As the manual words it: 'If yes', 'If not', 'If damaged', 'Otherwise'.")
    action: str = Field(description="What the branch says to do, verbatim from the step.")
    target: str | None = Field(None, description="The manual's step the branch jumps to ('3', 'f', 'next'), if any.")
    goto: int | None = Field(None, ge=1, description="That step's number on this card; null when it is not on the card.")


class Part(_Model):
    """A part of the task that opens at a step, as the manual titles and introduces it: "(1) Weather Gasket
    Pressure Adjustment. To increase the weather gasket pressure on the hinged side of the door, proceed
    as follows:" over the lettered steps (a) to (f). It says what the steps below it are for; it is no step."""
    text: str
    source_number: str | None = Field(None, description="Its number in the manual, e.g. '(1)'.")
    citations: list[Citation] = Field(min_length=1)


class Step(_Model):
    number: int = Field(ge=1)
    part: Part | None = Field(None, description="The part of the task this step opens, shown above it.")
    instruction: str = Field(min_length=1, max_length=MAX_INSTRUCTION)
    detail: str | None = None
    source_number: str | None = Field(None, description="The step's number in the manual, e.g. '4' or '（3）'.")
    warnings: list[SafetyNote] = Field(default_factory=list, description="Shown before the step.")
    specs: list[Spec] = Field(default_factory=list)
    check: str | None = Field(None, description="How the technician confirms the step is done.")
    media: list[MediaRef] = Field(default_factory=list)
    branches: list[Branch] = Field(default_factory=list, description="A decision step's branches (yes/no, if/otherwise), in manual order.")
    citations: list[Citation] = Field(min_length=1)


class Source(_Model):
    doc: str
    pages: list[int]


class StepCard(_Model):
    schema_version: Literal["1.0"] = SCHEMA_VERSION
    title: str
    task: str
    language: str
    equipment: str | None = None
    preconditions: list[Precondition] = Field(default_factory=list)
    warnings: list[SafetyNote] = Field(default_factory=list, description="Every safety note of the task, each with the step it guards.")
    tools: list[Tool] = Field(default_factory=list, description="Tools, parts, consumables and protective equipment (kind 'ppe'), in manual order.")
    steps: list[Step] = Field(min_length=1)
    sources: list[Source] = Field(default_factory=list)
    drafted_with: str = Field("extractive", description="'extractive', or 'llm:<model>' when instructions were shortened by a model.")

    def citations(self) -> list[Citation]:
        """Every citation on the card, in display order."""
        out = [p.citation for p in self.preconditions] + [w.citation for w in self.warnings] + [t.citation for t in self.tools]
        for s in self.steps:
            out += (s.part.citations if s.part else []) + [w.citation for w in s.warnings] + s.citations + [x.citation for x in s.specs]
        return out

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


def card_json_schema() -> dict:
    """The published JSON Schema of a step card (draft 2020-12, as pydantic writes it)."""
    schema = StepCard.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://github.com/maintenance-assistant/schemas/stepcard-1.0.json", **schema}


def write_schema(path: Path = SCHEMA_PATH) -> None:
    """Regenerate `stepcard.schema.json` (a test checks the shipped file is up to date)."""
    path.write_text(json.dumps(card_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

