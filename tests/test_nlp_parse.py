"""The parser as a whole: a pure function from a message to a ParseResult that never raises."""

from __future__ import annotations

import pytest

from nlp.parse import Parser, ParseResult, get_parser


@pytest.fixture(scope="module")
def parser() -> Parser:
    return get_parser()


def test_a_report_gets_category_level_place_and_evidence(parser: Parser) -> None:
    result = parser.parse("福业街菜场门口路面塌了个坑 晚上骑车很危险")
    assert result.is_report
    assert result.category == "facility_repair"
    assert result.level in (1, 2, 3, 4)
    assert result.location == "福业街菜场门口"
    assert 0.0 <= result.confidence <= 1.0
    assert result.evidence


def test_chatter_is_not_a_report_and_names_no_place(parser: Parser) -> None:
    result = parser.parse("早上好各位邻居 今天天气不错 阳光小区门口的桂花开了")
    assert not result.is_report
    assert result.category is None and result.level is None and result.location is None


def test_an_urgent_message_is_a_report_and_urgent(parser: Parser) -> None:
    result = parser.parse("楼道里全是烟 好像着火了")
    assert result.is_report and result.urgent
    assert result.category == "fire_hazard"


def test_traditional_text_is_understood_like_simplified(parser: Parser) -> None:
    simplified = parser.parse("楼道里的灯坏了 晚上上楼黑漆漆的 金色水岸12栋")
    traditional = parser.parse("樓道裡的燈壞了 晚上上樓黑漆漆的 金色水岸12棟")
    assert traditional.is_report and traditional.category == simplified.category
    assert traditional.location == "金色水岸12棟"  # as written, not as converted


def test_personal_data_spans_are_returned_as_written(parser: Parser) -> None:
    text = "垃圾房三天没清了 我电话１３８ １２３４ ５６７８"
    (span,) = parser.parse(text).pii
    assert span.kind == "phone" and text[span.start : span.end] == span.text


def test_a_photo_makes_a_borderline_message_likelier_a_report(parser: Parser) -> None:
    text = "这个你们看一下"
    without = parser.parse(text)
    with_photo = parser.parse(text, has_photo=True, has_location=True)
    p_without = without.confidence if without.is_report else 1 - without.confidence
    p_with = with_photo.confidence if with_photo.is_report else 1 - with_photo.confidence
    assert with_photo.is_report or p_with >= p_without


def test_configured_places_are_found(parser: Parser) -> None:
    text = "东方丽都的垃圾三天没人收了 臭死了"
    assert parser.parse(text).location is None
    assert Parser(places=["东方丽都"]).parse(text).location == "东方丽都"


def test_get_parser_is_cached_per_place_list() -> None:
    assert get_parser() is get_parser()
    assert get_parser(["城河小区"]) is get_parser(["城河小区"])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t  ",
        "😀😀😀👍",
        "(╯°□°）╯︵ ┻━┻",
        "\x00\x01\x02\x03\x04binary\xff\xfe" * 50,
        bytes(range(256)).decode("latin-1") * 10,
        "\ud800\udfff\udc80" * 30,
        "12345 67890",
    ],
)
def test_odd_input_is_a_clean_non_report(parser: Parser, text: str) -> None:
    result = parser.parse(text)
    assert isinstance(result, ParseResult)
    assert not result.is_report and not result.urgent and result.category is None


def test_a_huge_message_is_parsed_quickly_and_cleanly(parser: Parser) -> None:
    import time

    text = "楼上天天半夜拖椅子 吵得睡不着 " * 7000  # ~100k characters
    start = time.perf_counter()
    result = parser.parse(text)
    assert time.perf_counter() - start < 0.5
    assert result.is_report and result.category == "dispute"


def test_non_text_input_is_not_a_report(parser: Parser) -> None:
    assert not parser.parse(None).is_report  # type: ignore[arg-type]  # None on purpose: the parser must not raise


@pytest.mark.parametrize(
    "text",
    [
        "这是我在群里最后一句话了 房租我转给房东了 对不起大家",
        "多謝大家咁多年照顧 我啲嘢已經送晒人 以後唔使再煩大家",
    ],
)
def test_a_farewell_that_reads_like_chat_is_answered_as_danger(parser: Parser, text: str) -> None:
    from nlp.decide import action

    result = parser.parse(text)
    assert result.urgent and result.hazard == "person"
    assert action(result) == "case"


@pytest.mark.parametrize(
    "text",
    ["谢谢大家这些年照顾 明天我就搬走啦 有空回来看大家", "一个人", "好累啊今天 明天还要上班"],
)
def test_moving_away_and_a_few_words_of_chat_are_not_danger(parser: Parser, text: str) -> None:
    assert not parser.parse(text).urgent


@pytest.mark.parametrize(
    "text",
    [
        "刚才楼道冒烟的事搞清楚了 是三楼熏腊肉 莫得事",
        "走丢嗰个细路已经搵返了 多谢大家",
        "电梯困人那个 师傅已经把人放出来了 大家都没事了",
        "刚刚讲额烟味寻着了 是隔壁烘咸肉 没事体了",
    ],
)
def test_an_all_clear_opens_no_emergency_even_when_it_names_the_danger(
    parser: Parser, text: str
) -> None:
    assert not parser.parse(text).urgent


def test_an_all_clear_the_writer_doubts_is_still_danger(parser: Parser) -> None:
    result = parser.parse("物业说燃气报警器是误报 但我还是觉得不对劲 一股臭鸡蛋味")
    assert result.urgent
    assert result.hazard == "gas"
