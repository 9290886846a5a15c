"""The answer stage: a question and the retriever's passages in, a cited answer (or a refusal) out.

Read it top to bottom in pipeline.py: evidence (is there enough to answer?) -> draft (extractive
sentences, or the language model's reply) -> verify (every sentence and number against its
passage) -> hazards (the warnings of the procedure the answer comes from) -> the Answer.

    draft.py      the plain data between the stages: Claim, Dropped, Draft
    evidence.py   how well the passages cover the question; the refusal policy
    extract.py    the passages' units (sentences, table rows, list items) and the extractive draft
    reply.py      the model's draft: the fenced prompt, the reply (whole or streamed), checked as it comes
    claims.py     a model reply split into claims, each kept only if its passage supports it
    verify.py     numbers and overlap checks shared by claims and cards; an answer's citations, and
                  the last check that every number shown is in them
    hazards.py    WARNING/CAUTION/NOTE items that travel with an answer
"""
from .pipeline import Answer, answer_question, stream_answer
from .reply import render_passages
from .verify import quote_pieces

__all__ = ["Answer", "answer_question", "quote_pieces", "render_passages", "stream_answer"]
