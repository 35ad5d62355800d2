"""statements.yaml: the defaults without it, the demo's file, and one line per problem."""

from __future__ import annotations

import pytest
import yaml

from assets.statements.config import (
    Contact,
    StatementsConfig,
    StatementsConfigError,
    load_statements_config,
    parse_statements_config,
    statements_yaml_example,
)


def test_without_the_file_every_setting_has_its_default(tmp_path):
    config = load_statements_config(tmp_path)
    assert config == StatementsConfig()
    assert config.manager_deal_appendix is False and config.locales == {}
    assert config.contact.line() == ("Questions about this statement? Ask Sales Compensation within 30 days "
                                     "of the pay date.")


def test_the_demo_file_reads(tmp_path):
    (tmp_path / "statements.yaml").write_text(statements_yaml_example())
    config = load_statements_config(tmp_path)
    assert config.contact == Contact("Sales Compensation", "sales-comp@example.com", None, 30)
    assert config.contact.line() == ("Questions about this statement? Ask Sales Compensation "
                                     "(sales-comp@example.com) within 30 days of the pay date.")


def test_every_setting():
    config = parse_statements_config(yaml.safe_load("""
        contact: {team: Comp Ops, email: comp@corp.example, phone: "+49 30 1234", inquiry_window_days: 14}
        deal_appendix: {managers: true}
        locales: {CA: fr_CA}
    """))
    assert config.manager_deal_appendix is True and config.locales == {"CA": "fr_CA"}
    assert config.contact.line() == ("Questions about this statement? Ask Comp Ops (comp@corp.example, +49 30 1234) "
                                     "within 14 days of the pay date.")


@pytest.mark.parametrize(("document", "problems"), [
    ({"contact": {"email": "not-an-address"}}, [
        "statements.yaml contact: 'team' is a required property",
        "statements.yaml contact.email: 'not-an-address' is not an e-mail address"]),
    ({"deal_appendix": {"managers": "yes"}}, ["statements.yaml deal_appendix.managers: 'yes' is not of type 'boolean'"]),
    ({"locales": {"CA": "xx_YY"}}, ["statements.yaml locales.CA: 'xx_YY' is not a locale Babel knows"]),
    ({"contact": {"team": "T", "inquiry_window_days": 0}},
     ["statements.yaml contact.inquiry_window_days: 0 is less than the minimum of 1"]),
    ({"colour": "blue"}, ["statements.yaml colour: unknown field (allowed here: contact, deal_appendix, description, locales)"]),
])
def test_each_problem_is_one_line_naming_the_file_and_the_field(document, problems):
    with pytest.raises(StatementsConfigError) as caught:
        parse_statements_config(document)
    assert caught.value.errors == problems


def test_a_file_that_is_not_yaml_is_one_line(tmp_path):
    (tmp_path / "statements.yaml").write_text("contact: [unclosed\n")
    with pytest.raises(StatementsConfigError) as caught:
        load_statements_config(tmp_path)
    (problem,) = caught.value.errors
    assert problem.startswith("statements.yaml line ") and "not valid YAML" in problem
