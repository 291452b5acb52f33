"""The library tests' bank: three published questions over two topics, and a draft."""

import pytest

from quizzes.models import Difficulty, Status
from quizzes.tests.factories import QuestionFactory, TopicFactory


@pytest.fixture
def bank():
    norms = TopicFactory(name="Normalisation", slug="normalisation")
    optim = TopicFactory(name="Optimisation", slug="optimisation")
    layer_norm = QuestionFactory(
        key="layer-norm-transformers",
        topic=norms,
        prompt="Why does LayerNorm suit transformers better than BatchNorm?",
        answer="It normalises over the features of each token, so it does not depend on the batch.",
        tags="normalisation, transformers",
        key_points=["Per-token statistics", "No batch dependence"],
    )
    rms = QuestionFactory(
        key="rmsnorm-vs-layernorm",
        topic=norms,
        prompt="How does RMSNorm differ from LayerNorm?",
        answer="RMSNorm drops the mean subtraction and rescales by the root mean square.",
        difficulty=Difficulty.EASY,
        tags="normalisation",
    )
    adam = QuestionFactory(
        key="adam-bias-correction",
        topic=optim,
        prompt="Why does Adam need bias correction?",
        answer="The moment estimates start at zero, so early steps are biased toward zero.",
        difficulty=Difficulty.HARD,
        tags="optimisers",
        key_points=["Moments start at zero", "Divide by one minus beta to the t"],
    )
    draft = QuestionFactory(
        key="draft-question",
        topic=norms,
        prompt="A draft about GroupNorm normalisation",
        answer="Not ready.",
        status=Status.DRAFT,
    )
    return {"layer_norm": layer_norm, "rms": rms, "adam": adam, "draft": draft}
