"""The answer stage: a question and the retriever's passages in, a cited answer (or a refusal) out.

Read it top to bottom in pipeline.py: evidence (is there enough to answer?) -> draft (extractive
sentences, or the language model's reply) -> verify (every sentence and number against its
passage) -> hazards (the warnings of the procedure the answer comes from) -> the Answer.

    evidence.py   how well the passages cover the question; the refusal policy
    extract.py    the passages' units (sentences, table rows, list items) and the extractive draft
    claims.py     a model reply split into claims, each kept only if its passage supports it
    verify.py     numbers and overlap checks shared by claims and cards
    hazards.py    WARNING/CAUTION/NOTE items that travel with an answer
"""
from .pipeline import Answer, answer_question, quote_pieces, render_passages, stream_answer

__all__ = ["Answer", "answer_question", "quote_pieces", "render_passages", "stream_answer"]
