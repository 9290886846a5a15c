"""XR step cards: cited, validated work instructions drafted from the library's manuals.

    from assistant.cards import CardDrafter
    card = CardDrafter(library).draft("replace the return-line filter element on HP-3")
    card.steps[0].instruction      # 'Stop the unit at the operator panel and let the oil cool below 40 °C.'

Stages, one module each: source (a document reassembled from its chunks), items and inline (steps,
bullets, warnings, tool lists in source order; procedures told in sentences), alternatives (shared
option lists and the preamble step), extract (runs, tools, specs), select (which procedure and, in a
shared list, which entry),
assemble (the card), rephrase (optional LLM shortening), export and render (ARLEM, HTML, Markdown,
S1000D), cli and evaluate (the command line and the dev-set figures).
"""
from .draft import CardDrafter, NoProcedureFound, draft_card, problems
from .model import StepCard, card_json_schema

__all__ = ["CardDrafter", "NoProcedureFound", "StepCard", "card_json_schema", "draft_card", "problems"]
