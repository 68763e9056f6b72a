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


def test_headlines_and_bullets_in_web_text_stay_separate():
    body = "Trilateral cooperation among the US, Japan and South Korea could bolster efforts to resolve obstacles, analysts said. " * 3
    text = (
        "Seoul and Tokyo agree to restore the trade whitelist\n"  # two headlines, no sentence end, at the top
        "Japan’s prime minister plans a visit for shuttle talks\n"
        f"{body}\n"
        "• Washington hopes the strategy will contain Beijing, while Seoul seeks to deter Pyongyang, observer says and adds\n"
        "• But controversy over compensation for wartime victims could limit the cooperation that Washington wants\n"
    )
    assert len(split_paragraphs(text)) == 5
    wrapped_list = "The agenda has three items, which the ministers set out in a joint note to\n1. Missile data sharing\n"
    assert len(split_paragraphs(wrapped_list)) == 2
