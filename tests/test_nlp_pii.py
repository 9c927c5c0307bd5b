"""Personal data: every common way of writing a phone or ID number is found and masked; ordinary
numbers (dates, prices, house numbers, hotlines) never are."""

from __future__ import annotations

import pytest

from nlp.pii import find_pii, id_check_ok, mask_pii

VALID_ID = "330206199001011235"
VALID_ID_X = "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("电话13812345678有事找我", "13812345678"),
        ("联系 138 1234 5678 谢谢", "138 1234 5678"),
        ("联系138-1234-5678", "138-1234-5678"),
        ("+86 138-1234-5678 王先生", "+86 138-1234-5678"),
        ("+8613812345678", "+8613812345678"),
        ("0086 13912345678", "0086 13912345678"),
        ("手机１３８１２３４５６７８", "１３８１２３４５６７８"),
        ("我儿子电话幺三八零零幺二三四五六", "幺三八零零幺二三四五六"),  # voice input
        # a resident from Taiwan: 09xx-xxx-xxx, or with +886
        ("我爸走失了，聯絡電話0928517364", "0928517364"),
        ("手機 0912-345-678 陳小姐", "0912-345-678"),
        ("call +886 912 345 678", "+886 912 345 678"),
        # a Hong Kong number, where it is called a phone
        ("我電話 9168 2374，麻煩幫我打去管理處", "9168 2374"),
        ("管理处电话27836610又冇人听", "27836610"),
        ("我家電話 02-27581364，麻煩回電", "02-27581364"),
        # with Hong Kong's +852 it is a phone wherever it stands
        ("+852 6123 4567 有人困咗喺𨋢", "+852 6123 4567"),
        ("please call me at +852 6123 4567", "+852 6123 4567"),
        ("電話 (852) 6123 4567", "(852) 6123 4567"),
        ("WhatsApp: 6123 4567", "6123 4567"),
        ("有事可以打给我 61234567", "61234567"),
        # a Taiwanese area code in brackets is a phone wherever it stands
        ("不如去問區公所(04)2345-6789", "(04)2345-6789"),
    ],
)
def test_mobile_numbers_are_found_in_every_common_writing(text: str, found: str) -> None:
    assert [(s.kind, s.text) for s in find_pii(text)] == [("phone", found)]


@pytest.mark.parametrize(
    "landline",
    ["0574-87654321", "021-62345678", "(0574)87654321", "（0574）87654321", "0574 8765 4321"],
)
def test_landlines_with_an_area_code_are_found(landline: str) -> None:
    assert [s.text for s in find_pii(f"物业电话{landline}一直占线")] == [landline]


def test_spans_point_into_the_original_text() -> None:
    text = "電話 138 1234 5678"
    (span,) = find_pii(text)
    assert text[span.start : span.end] == span.text


def test_id_numbers_with_a_valid_check_digit_are_found() -> None:
    spans = find_pii(f"身份证{VALID_ID} 我妈的{VALID_ID_X.lower()}")
    assert [(s.kind, s.text) for s in spans] == [
        ("id_number", VALID_ID),
        ("id_number", VALID_ID_X.lower()),
    ]


def test_an_id_shaped_number_with_a_wrong_check_digit_is_found_only_when_called_an_id() -> None:
    wrong = VALID_ID[:-1] + "4"
    assert not id_check_ok(wrong)
    assert find_pii(f"订单{wrong}") == []  # any 18 digits with a date inside are no ID
    # A resident who writes their ID with one slip still gave it away: it is masked.
    for said in (f"身份证号{wrong}", f"我身份證是 {wrong}", f"ID: {wrong}"):
        assert [s.kind for s in find_pii(said)] == ["id_number"], said


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01 下午3点开会",
        "20240501停水",
        "打110报警 火警119 急救120 热线12345 96345",
        "房价1380万 月租2800/月 一斤3块5",
        "3号楼502室 12栋2单元1801",
        "订单号138123456789012",
        "车牌浙B·12345",
        "快递单号 SF1234567890123",
        "二零二六年一月一日 三十八度",
        "一三五七九二四六八十",
        "订单号 0912345678901",
        "罚款 2000 5000 元不等 订单 88886666",
        # 打 and 联系 name a phone only when no other number is meant
        "打车去医院花了 3500 4200 块",
        "打针日期 2025 0612",
        "联系快递 运单号 56473829",
        "订单号 0923456781",
    ],
)
def test_ordinary_numbers_are_never_personal_data(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("电话138-1234-5678", "电话138-****-5678"),
        ("+86 139 5800 1234", "+86 139 **** 1234"),
        ("0574-87654321", "0574-******21"),
        ("021-62345678", "021-******78"),
        ("0912-345-678", "0912-***-*78"),
        # Hong Kong's eight digits: the last four hidden, 852 kept
        ("電話 6123 4567", "電話 6123 ****"),
        ("+852 61234567", "+852 6123****"),
        ("電話 02-27581364", "電話 02-2758****"),
        (f"身份证{VALID_ID}", "身份证330206********1235"),
        (f"{VALID_ID_X}", "110105********002X"),
    ],
)
def test_masking_keeps_only_the_allowed_digits(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


def test_personal_data_deep_in_a_long_text_is_still_masked() -> None:
    text = "啊" * 10_000 + "13812345678"
    assert mask_pii(text).endswith("138****5678")


def test_a_mobile_in_words_is_masked_like_one_in_digits() -> None:
    assert mask_pii("电话一三九一二三四五六七八") == "电话一三九****五六七八"
