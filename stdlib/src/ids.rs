//! Identifier checks: 统一社会信用代码 (GB 32100-2015) and 居民身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2).
//! Source: `/work/shared/facts/README.md` §5. Each check verifies the check character with a precise error and
//! decodes the structure. Input is trimmed and upper-cased (a typed `x` is the same as `X`).

use std::fmt;
use xince_abi::date::CivilDate;

/// Which kind of identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdKind {
    /// 统一社会信用代码
    CreditCode,
    /// 居民身份证号码
    ResidentId,
}

impl IdKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            IdKind::CreditCode => "统一社会信用代码",
            IdKind::ResidentId => "居民身份证号码",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            IdKind::CreditCode => "unified social credit code",
            IdKind::ResidentId => "resident identity card number",
        }
    }
}

/// What is wrong with an identifier. Positions are 1-based character positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdError {
    WrongLength {
        kind: IdKind,
        expected: usize,
        got: usize,
    },
    /// A character not allowed at `position`; `allowed` describes what is.
    BadChar {
        kind: IdKind,
        position: usize,
        found: char,
        allowed: &'static str,
    },
    /// The 8-digit birth date of an ID number is not a real date.
    BadBirthDate {
        text: String,
    },
    WrongCheck {
        kind: IdKind,
        expected: char,
        got: char,
    },
}

impl IdError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            IdError::WrongLength { kind, expected, got } => {
                format!("{}长度应为 {expected} 位，实际为 {got} 位", kind.name_zh())
            }
            IdError::BadChar { kind, position, found, allowed } => {
                format!("{}第 {position} 位字符「{found}」不合法（应为{}）", kind.name_zh(), allowed_zh(allowed))
            }
            IdError::BadBirthDate { text } => format!("居民身份证号码第 7—14 位出生日期「{text}」不是真实日期"),
            IdError::WrongCheck { kind, expected, got } => {
                format!("{}校验码错误：应为「{expected}」，实际为「{got}」", kind.name_zh())
            }
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            IdError::WrongLength { kind, expected, got } => {
                format!("a {} has {expected} characters, this one has {got}", kind.name_en())
            }
            IdError::BadChar { kind, position, found, allowed } => {
                format!("{}: character {position} `{found}` is not allowed (expected {allowed})", kind.name_en())
            }
            IdError::BadBirthDate { text } => {
                format!("resident identity card number: birth date `{text}` (characters 7-14) is not a real date")
            }
            IdError::WrongCheck { kind, expected, got } => {
                format!("{}: wrong check character: expected `{expected}`, got `{got}`", kind.name_en())
            }
        }
    }
}

fn allowed_zh(allowed: &str) -> &'static str {
    match allowed {
        DIGIT => "数字 0—9",
        DIGIT_OR_X => "数字 0—9 或 X",
        _ => "0—9 或 A—Y 中除 I、O、Z、S、V 以外的大写字母",
    }
}

const DIGIT: &str = "a digit 0-9";
const DIGIT_OR_X: &str = "a digit 0-9 or X";
const CREDIT_CHARS_DESC: &str = "0-9 or an upper-case letter A-Y other than I, O, Z, S, V";

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_zh(), self.message_en())
    }
}

impl std::error::Error for IdError {}

/// The 31 characters of GB 32100-2015; a character's value is its index.
const CREDIT_CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn credit_value(c: char) -> Option<u32> {
    CREDIT_CHARSET.chars().position(|x| x == c).map(|i| i as u32)
}

/// A decoded 统一社会信用代码.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditCode {
    pub code: String,
    /// 登记管理部门码 (1 character).
    pub department: char,
    /// The department's name, when facts §5 lists it.
    pub department_name: Option<&'static str>,
    /// 机构类别码 (1 character).
    pub category: char,
    /// The category's name, when facts §5 lists it for this department.
    pub category_name: Option<&'static str>,
    /// 行政区划码 (6 digits).
    pub region: String,
    /// 主体标识码 (9 characters; the former 组织机构代码 body).
    pub body: String,
    pub check: char,
}

/// 登记管理部门码 → (name, [(机构类别码, name)]), as facts §5 lists them; other codes decode as unlisted.
/// (code, name) of a 机构类别.
type Category = (char, &'static str);

const DEPARTMENTS: &[(char, &str, &[Category])] = &[
    ('1', "机构编制", &[('1', "机关"), ('2', "事业单位"), ('3', "群众团体"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[('1', "律师事务所"), ('2', "公证处"), ('3', "基层法律服务所"), ('4', "司法鉴定机构"), ('5', "仲裁委员会")],
    ),
    ('5', "民政", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会")]),
    ('9', "工商（市场监管）", &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")]),
    ('N', "农业", &[]),
    ('Y', "其他", &[]),
];

fn normalise(code: &str) -> Vec<char> {
    code.trim().chars().map(|c| c.to_ascii_uppercase()).collect()
}

/// Checks and decodes a 统一社会信用代码.
pub fn check_credit_code(code: &str) -> Result<CreditCode, IdError> {
    let kind = IdKind::CreditCode;
    let chars = normalise(code);
    if chars.len() != 18 {
        return Err(IdError::WrongLength { kind, expected: 18, got: chars.len() });
    }
    let mut sum = 0u32;
    for (i, &c) in chars.iter().enumerate() {
        let value =
            credit_value(c).ok_or(IdError::BadChar { kind, position: i + 1, found: c, allowed: CREDIT_CHARS_DESC })?;
        // 行政区划码 (positions 3-8) is numeric by definition.
        if (2..8).contains(&i) && !c.is_ascii_digit() {
            return Err(IdError::BadChar { kind, position: i + 1, found: c, allowed: DIGIT });
        }
        if let Some(w) = CREDIT_WEIGHTS.get(i) {
            sum += value * w;
        }
    }
    let expected_value = (31 - sum % 31) % 31;
    let expected = CREDIT_CHARSET.chars().nth(expected_value as usize).unwrap_or('?');
    let got = chars[17];
    if expected != got {
        return Err(IdError::WrongCheck { kind, expected, got });
    }
    let department = chars[0];
    let category = chars[1];
    let entry = DEPARTMENTS.iter().find(|(d, _, _)| *d == department);
    Ok(CreditCode {
        code: chars.iter().collect(),
        department,
        department_name: entry.map(|(_, name, _)| *name),
        category,
        category_name: entry.and_then(|(_, _, cats)| cats.iter().find(|(c, _)| *c == category)).map(|(_, n)| *n),
        region: chars[2..8].iter().collect(),
        body: chars[8..17].iter().collect(),
        check: got,
    })
}

/// Sex from the sequence code's last digit (odd = male).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// A decoded 居民身份证号码.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResidentId {
    pub code: String,
    /// 地址码 (6 digits, the 行政区划码 of the registered address).
    pub region: String,
    pub birth_date: CivilDate,
    /// 顺序码 (3 digits).
    pub sequence: String,
    pub sex: Sex,
    pub check: char,
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &str = "10X98765432";

/// Checks and decodes a 居民身份证号码 (18 characters).
pub fn check_resident_id(code: &str) -> Result<ResidentId, IdError> {
    let kind = IdKind::ResidentId;
    let chars = normalise(code);
    if chars.len() != 18 {
        return Err(IdError::WrongLength { kind, expected: 18, got: chars.len() });
    }
    let mut sum = 0u32;
    for (i, &c) in chars[..17].iter().enumerate() {
        let digit = c.to_digit(10).filter(|_| c.is_ascii_digit());
        let digit = digit.ok_or(IdError::BadChar { kind, position: i + 1, found: c, allowed: DIGIT })?;
        sum += digit * ID_WEIGHTS[i];
    }
    let got = chars[17];
    if !(got.is_ascii_digit() || got == 'X') {
        return Err(IdError::BadChar { kind, position: 18, found: got, allowed: DIGIT_OR_X });
    }
    let birth_text: String = chars[6..14].iter().collect();
    let num = |r: std::ops::Range<usize>| birth_text.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    let birth_date = CivilDate::new(num(0..4) as i32, num(4..6), num(6..8))
        .map_err(|_| IdError::BadBirthDate { text: birth_text.clone() })?;
    let expected = ID_CHECK.chars().nth((sum % 11) as usize).unwrap_or('?');
    if expected != got {
        return Err(IdError::WrongCheck { kind, expected, got });
    }
    let sex = if chars[16].to_digit(10).unwrap_or(0) % 2 == 1 { Sex::Male } else { Sex::Female };
    Ok(ResidentId {
        code: chars.iter().collect(),
        region: chars[..6].iter().collect(),
        birth_date,
        sequence: chars[14..17].iter().collect(),
        sex,
        check: got,
    })
}

/// Either identifier, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifier {
    CreditCode(CreditCode),
    ResidentId(ResidentId),
}

/// The kind a code most likely is: 17 leading digits whose characters 7-14 read as a date in 1800-2199 → an ID
/// number, else a credit code (credit codes can be all digits too). Only used to pick which error to report
/// when a code is valid as neither.
pub fn likely_kind(code: &str) -> IdKind {
    let chars = normalise(code);
    let plausible_birth = || {
        let text: String = chars[6..14].iter().collect();
        let num = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
        (1800..2200).contains(&num(0..4)) && CivilDate::new(num(0..4) as i32, num(4..6), num(6..8)).is_ok()
    };
    if chars.len() >= 17 && chars[..17].iter().all(char::is_ascii_digit) && plausible_birth() {
        IdKind::ResidentId
    } else {
        IdKind::CreditCode
    }
}

/// Checks a code of either kind: valid as an ID number or as a credit code (tried in the order of
/// [`likely_kind`]); otherwise the error for the likely kind.
pub fn check_any(code: &str) -> Result<Identifier, IdError> {
    let id = || check_resident_id(code).map(Identifier::ResidentId);
    let credit = || check_credit_code(code).map(Identifier::CreditCode);
    match likely_kind(code) {
        IdKind::ResidentId => id().or_else(|e| credit().map_err(|_| e)),
        IdKind::CreditCode => credit(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_code_example_decodes() {
        let c = check_credit_code("91110000600037341L").unwrap();
        assert_eq!(c.department, '9');
        assert_eq!(c.department_name, Some("工商（市场监管）"));
        assert_eq!(c.category, '1');
        assert_eq!(c.category_name, Some("企业"));
        assert_eq!(c.region, "110000");
        assert_eq!(c.body, "600037341");
        assert_eq!(c.check, 'L');
        // lower case and surrounding spaces are tolerated
        assert_eq!(check_credit_code(" 91110000600037341l ").unwrap().code, "91110000600037341L");
    }

    #[test]
    fn credit_code_errors_are_precise() {
        assert_eq!(
            check_credit_code("91110000600037341M"),
            Err(IdError::WrongCheck { kind: IdKind::CreditCode, expected: 'L', got: 'M' })
        );
        assert_eq!(
            check_credit_code("9111000060003734"),
            Err(IdError::WrongLength { kind: IdKind::CreditCode, expected: 18, got: 16 })
        );
        let err = check_credit_code("9111000060003I341L").unwrap_err();
        assert_eq!(
            err,
            IdError::BadChar { kind: IdKind::CreditCode, position: 14, found: 'I', allowed: CREDIT_CHARS_DESC }
        );
        assert!(err.message_zh().contains("第 14 位"), "{}", err.message_zh());
        assert!(matches!(
            check_credit_code("911A0000600037341L"),
            Err(IdError::BadChar { position: 4, found: 'A', allowed: DIGIT, .. })
        ));
        // a transposition in the body changes the check character
        assert!(matches!(check_credit_code("91110000600073341L"), Err(IdError::WrongCheck { .. })));
    }

    #[test]
    fn unlisted_department_decodes_without_names() {
        // build a valid code with department 'A' by computing its check character
        let body = "A1500000MA5UXXXX0";
        let sum: u32 = body.chars().zip(CREDIT_WEIGHTS).map(|(c, w)| credit_value(c).unwrap() * w).sum();
        let check = CREDIT_CHARSET.chars().nth(((31 - sum % 31) % 31) as usize).unwrap();
        let c = check_credit_code(&format!("{body}{check}")).unwrap();
        assert_eq!(c.department_name, None);
        assert_eq!(c.category_name, None);
    }

    #[test]
    fn resident_id_examples_decode() {
        let a = check_resident_id("11010519491231002X").unwrap();
        assert_eq!(a.region, "110105");
        assert_eq!(a.birth_date, CivilDate::new(1949, 12, 31).unwrap());
        assert_eq!(a.sequence, "002");
        assert_eq!(a.sex, Sex::Female);
        assert_eq!(a.check, 'X');
        let b = check_resident_id("360426199101010071").unwrap();
        assert_eq!(b.birth_date, CivilDate::new(1991, 1, 1).unwrap());
        assert_eq!(b.sex, Sex::Male);
        assert_eq!(check_resident_id("11010519491231002x").unwrap().check, 'X');
    }

    #[test]
    fn resident_id_errors_are_precise() {
        assert_eq!(
            check_resident_id("110105194912310021"),
            Err(IdError::WrongCheck { kind: IdKind::ResidentId, expected: 'X', got: '1' })
        );
        assert_eq!(
            check_resident_id("36042619910101007"),
            Err(IdError::WrongLength { kind: IdKind::ResidentId, expected: 18, got: 17 })
        );
        assert!(matches!(
            check_resident_id("3604261991010100A1"),
            Err(IdError::BadChar { position: 17, found: 'A', .. })
        ));
        assert!(matches!(
            check_resident_id("36042619910101007Y"),
            Err(IdError::BadChar { position: 18, found: 'Y', allowed: DIGIT_OR_X, .. })
        ));
        // 1991-02-30 does not exist: reported before the check character
        assert_eq!(check_resident_id("360426199102300071"), Err(IdError::BadBirthDate { text: "19910230".into() }));
    }

    #[test]
    fn check_any_picks_the_kind() {
        assert!(matches!(check_any("91110000600037341L"), Ok(Identifier::CreditCode(_))));
        assert!(matches!(check_any("360426199101010071"), Ok(Identifier::ResidentId(_))));
        assert_eq!(
            check_any("360426199101010072"),
            Err(IdError::WrongCheck { kind: IdKind::ResidentId, expected: '1', got: '2' })
        );
        // all digits, but characters 7-14 are no birth date: judged as a credit code
        assert!(matches!(check_any("91110000600037341M"), Err(IdError::WrongCheck { kind: IdKind::CreditCode, .. })));
        assert_eq!(likely_kind("360426199101010072"), IdKind::ResidentId);
        assert_eq!(likely_kind("91110000600037341M"), IdKind::CreditCode);
        assert_eq!(likely_kind("9111"), IdKind::CreditCode);
    }
}
