import pytest
from conftest import SEED_TEXT

from model.split import iter_paragraphs, split_paragraphs


def test_seed_article_gives_one_paragraph_per_non_empty_line():
    text = SEED_TEXT.read_text(encoding="utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    paragraphs = split_paragraphs(text)
    assert len(paragraphs) == 46
    assert [p.text for p in paragraphs] == lines
    assert [p.index for p in paragraphs] == list(range(46))


def test_offsets_point_into_the_source():
    text = SEED_TEXT.read_text(encoding="utf-8")
    for p in split_paragraphs(text):
        assert " ".join(text[p.start : p.end].split()) == p.text


def test_hard_wrapped_prose_is_rejoined():
    text = "Seoul and Tokyo agreed on Tuesday to\nresume the shuttle talks that had\nstalled since 2019.\nA second paragraph.\n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "Seoul and Tokyo agreed on Tuesday to resume the shuttle talks that had stalled since 2019.",
        "A second paragraph.",
    ]


def test_line_ending_a_sentence_is_not_joined_even_before_lower_case():
    paragraphs = split_paragraphs("The talks ended.\nthen the ministers left\n")
    assert len(paragraphs) == 2


def test_headline_followed_by_capitalised_line_stays_separate():
    paragraphs = split_paragraphs("Allies hold drills\nThe exercise began at dawn.\n")
    assert [p.text for p in paragraphs] == ["Allies hold drills", "The exercise began at dawn."]


def test_blank_lines_always_separate_and_whitespace_is_normalised():
    text = "first   part of\n\n\n   second\tpart  \n"
    assert [p.text for p in split_paragraphs(text)] == ["first part of", "second part"]


def test_modes_override_the_rule():
    text = "one line without end\ncontinues here\n\nnext block line\nOther Line\n"
    assert len(split_paragraphs(text, "auto")) == 3
    assert len(split_paragraphs(text, "lines")) == 4
    blank = split_paragraphs(text, "blank")
    assert [p.text for p in blank] == ["one line without end continues here", "next block line Other Line"]


def test_crlf_offsets_and_streaming_from_lines():
    text = "Alpha beta.\r\nGamma delta.\r\n"
    paragraphs = list(iter_paragraphs(text.splitlines(keepends=True)))
    assert [(p.text, text[p.start : p.end]) for p in paragraphs] == [("Alpha beta.", "Alpha beta."), ("Gamma delta.", "Gamma delta.")]


def _seed_paragraphs() -> list[str]:
    return [" ".join(line.split()) for line in SEED_TEXT.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_hard_wrapped_article_is_rejoined_even_where_a_line_starts_with_a_name():
    import textwrap

    paragraphs = _seed_paragraphs()
    for width in (50, 60, 72, 80, 100):
        wrapped = "\n\n".join(textwrap.fill(p, width) for p in paragraphs) + "\n"
        assert [p.text for p in split_paragraphs(wrapped)] == paragraphs, width
    # "Park Won-gon, professor ... at Ewha Womans" / "University in Seoul, said ...": the wrap falls before a capital
    assert any(line[0].isupper() for p in paragraphs for line in textwrap.wrap(p, 72)[1:])


def test_a_word_hyphen_at_a_wrap_joins_without_a_space():
    text = "Trilateral cooperation could revitalise efforts to resolve long-\nstanding obstacles between Tokyo and Seoul.\n"
    assert [p.text for p in split_paragraphs(text)] == [
        "Trilateral cooperation could revitalise efforts to resolve long-standing obstacles between Tokyo and Seoul."]


@pytest.mark.parametrize("text, count", [
    ("Japan and South Korea agree to restore intelligence-sharing pact\nThe deal was signed on Friday.\n", 2),
    ("Seoul and Tokyo move to end a four-year trade dispute over chip materials\n"
     "By John Smith, Seoul correspondent, with reporting from Tokyo\n", 2),
    ("Japan and South Korea agree to restore intelligence-sharing pact\nUS urges its Asian allies to deepen missile data sharing\n"
     "Seoul and Tokyo resume shuttle diplomacy after a long break\nBeijing warns the three partners against a bloc in Asia\n", 4),
    ("Key points of the deal:\n- Missile warning data is shared in real time by the three\n"
     "- Annual drills resume in the Sea of Japan from next year\n- A new secretariat opens in Seoul to run the talks\n", 4),
    ("* Missile warning data is shared in real time by the three\n* Annual drills resume in the Sea of Japan from next year\n"
     "* A new secretariat opens in Seoul to run the talks\n", 3),
    ("The foreign minister set out the government's position on the talks in a long statement:\n"
     "We will not accept any deal that ignores the victims.\n", 2),
    ("The agenda has three items, which the ministers set out in a joint note that\nwas published on Monday and covers\n"
     "1. Missile data sharing\n", 2),
])
def test_headlines_bylines_and_lists_stay_separate(text, count):
    assert len(split_paragraphs(text)) == count


def test_web_paragraphs_one_per_line_are_never_merged():
    import json
    import random

    from conftest import STARTER_TRAIN

    texts = [" ".join(json.loads(line)["text"].split()) for line in STARTER_TRAIN.read_text(encoding="utf-8").splitlines()]
    generator = random.Random(0)
    for _ in range(200):  # runs of similar-length paragraphs must not look like one wrapped paragraph
        sample = generator.sample(texts, 3)
        assert [p.text for p in split_paragraphs("\n".join(sample) + "\n")] == sample
    assert [p.text for p in split_paragraphs("\n".join(texts) + "\n")] == texts
    assert len(split_paragraphs("Japan and South Korea held drills with the US navy.\n" * 2000)) == 2000


def test_the_wrap_width_is_judged_near_the_line_not_from_the_start_of_the_file():
    import textwrap

    def starts(p: str) -> list[bool]:
        return [line[0].isupper() for line in textwrap.wrap(p, 72)[1:]]

    paragraph = next(p for p in _seed_paragraphs() if any(starts(p)) and starts(p).count(False) >= 2)
    wrapped = textwrap.fill(paragraph, 72)
    far_away = "x" * 1000 + "\n\n" + "Filler line one.\n\n" * 400
    assert split_paragraphs(far_away + wrapped + "\n")[-1].text == paragraph
