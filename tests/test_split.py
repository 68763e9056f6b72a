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
