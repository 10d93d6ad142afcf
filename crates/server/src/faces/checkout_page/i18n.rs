//! The hosted page's words in English, Arabic, Japanese and Norwegian, and amounts written
//! the way each language writes them.

use kassa_domain::Currency;
use kassa_domain::checkout::Locale;

/// Every sentence on the page.
pub struct Words {
    pub title: &'static str,
    pub test_mode: &'static str,
    pub order: &'static str,
    pub subtotal: &'static str,
    pub discount: &'static str,
    pub tax: &'static str,
    pub shipping: &'static str,
    pub total: &'static str,
    pub promotion_code: &'static str,
    pub apply: &'static str,
    pub remove: &'static str,
    pub card_number: &'static str,
    pub expiry: &'static str,
    pub expiry_hint: &'static str,
    pub cvc: &'static str,
    pub holder: &'static str,
    pub pay: &'static str,
    pub cancel: &'static str,
    pub processing: &'static str,
    pub processing_hint: &'static str,
    pub expired: &'static str,
    pub expired_hint: &'static str,
    pub canceled: &'static str,
    pub failed: &'static str,
    pub not_found: &'static str,
    pub fix_errors: &'static str,
    pub attempts_left: &'static str,
    pub declined: &'static str,
    pub insufficient_funds: &'static str,
    pub expired_card: &'static str,
    pub processing_error: &'static str,
    pub invalid_number: &'static str,
    pub invalid_expiry: &'static str,
    pub invalid_cvc: &'static str,
    pub missing_holder: &'static str,
    pub code_refused: &'static str,
    pub promotion_locked: &'static str,
    pub codes_throttled: &'static str,
    pub receipt: &'static str,
    pub paid_to: &'static str,
    pub paid_on: &'static str,
    pub amount_paid: &'static str,
    pub card: &'static str,
    pub refunded: &'static str,
    pub reference_number: &'static str,
    pub session_changed: &'static str,
    pub continue_shopping: &'static str,
    /// The setup page's heading; `{merchant}` is the merchant's name.
    pub save_title: &'static str,
    /// What saving a card means; `{merchant}` is the merchant's name.
    pub save_hint: &'static str,
    pub save: &'static str,
    pub saving: &'static str,
    pub card_not_saved: &'static str,
    /// A button that pays through a provider; `{provider}` is its name.
    pub pay_with: &'static str,
    /// A link back to the provider where the customer approves; `{provider}` is its name.
    pub continue_at: &'static str,
}

const EN: Words = Words {
    title: "Checkout",
    test_mode: "Test mode: use a test card such as 4242 4242 4242 4242. No money moves.",
    order: "Your order",
    subtotal: "Subtotal",
    discount: "Discount",
    tax: "Tax",
    shipping: "Shipping",
    total: "Total",
    promotion_code: "Promotion code",
    apply: "Apply",
    remove: "Remove",
    card_number: "Card number",
    expiry: "Expiry date",
    expiry_hint: "MM / YY",
    cvc: "Security code",
    holder: "Name on card",
    pay: "Pay",
    cancel: "Cancel and return to the shop",
    processing: "Processing your payment…",
    processing_hint: "This takes a few seconds. The page updates by itself.",
    expired: "This checkout has expired",
    expired_hint: "Nothing was charged. Return to the shop to start again.",
    canceled: "This checkout was canceled",
    failed: "The payment could not be completed",
    not_found: "This checkout link is not valid.",
    fix_errors: "Please correct the highlighted fields.",
    attempts_left: "Attempts left:",
    declined: "Your card was declined. Try another card.",
    insufficient_funds: "Your card has insufficient funds. Try another card.",
    expired_card: "Your card has expired. Try another card.",
    processing_error: "Your card could not be processed. Try again in a moment.",
    invalid_number: "Enter a valid card number.",
    invalid_expiry: "Enter the expiry date as MM / YY, in the future.",
    invalid_cvc: "Enter the 3-digit security code (4 digits for American Express).",
    missing_holder: "Enter the name on the card.",
    code_refused: "This code cannot be used:",
    promotion_locked: "Too many codes were tried; no more codes can be applied to this order.",
    codes_throttled: "Too many codes were tried from this connection; wait a minute and try again.",
    receipt: "Receipt",
    paid_to: "Paid to",
    paid_on: "Date",
    amount_paid: "Amount paid",
    card: "Card",
    refunded: "Refunded",
    reference_number: "Payment reference",
    session_changed: "This checkout changed meanwhile; please review it.",
    continue_shopping: "Return to the shop",
    save_title: "Save a card for {merchant}",
    save_hint: "Nothing is charged now. {merchant} may charge this card later, as you agreed with them.",
    save: "Save card",
    saving: "Checking your card…",
    card_not_saved: "The card could not be saved",
    pay_with: "Pay with {provider}",
    continue_at: "Continue at {provider}",
};

const AR: Words = Words {
    title: "الدفع",
    test_mode: "وضع الاختبار: استخدم بطاقة اختبار مثل 4242 4242 4242 4242. لن يتم خصم أي مبلغ.",
    order: "طلبك",
    subtotal: "المجموع الفرعي",
    discount: "الخصم",
    tax: "الضريبة",
    shipping: "الشحن",
    total: "الإجمالي",
    promotion_code: "رمز الخصم",
    apply: "تطبيق",
    remove: "إزالة",
    card_number: "رقم البطاقة",
    expiry: "تاريخ الانتهاء",
    expiry_hint: "MM / YY",
    cvc: "رمز الأمان",
    holder: "الاسم على البطاقة",
    pay: "ادفع",
    cancel: "إلغاء والعودة إلى المتجر",
    processing: "جارٍ معالجة الدفع…",
    processing_hint: "يستغرق ذلك بضع ثوانٍ. ستتحدث الصفحة تلقائيًا.",
    expired: "انتهت صلاحية عملية الدفع هذه",
    expired_hint: "لم يتم خصم أي مبلغ. عد إلى المتجر للبدء من جديد.",
    canceled: "تم إلغاء عملية الدفع هذه",
    failed: "تعذر إتمام الدفع",
    not_found: "رابط الدفع هذا غير صالح.",
    fix_errors: "يرجى تصحيح الحقول المحددة.",
    attempts_left: "المحاولات المتبقية:",
    declined: "تم رفض بطاقتك. جرّب بطاقة أخرى.",
    insufficient_funds: "رصيد بطاقتك غير كافٍ. جرّب بطاقة أخرى.",
    expired_card: "انتهت صلاحية بطاقتك. جرّب بطاقة أخرى.",
    processing_error: "تعذرت معالجة بطاقتك. حاول مرة أخرى بعد قليل.",
    invalid_number: "أدخل رقم بطاقة صالحًا.",
    invalid_expiry: "أدخل تاريخ الانتهاء بصيغة MM / YY في المستقبل.",
    invalid_cvc: "أدخل رمز الأمان المكوّن من 3 أرقام (4 لأمريكان إكسبريس).",
    missing_holder: "أدخل الاسم المكتوب على البطاقة.",
    code_refused: "لا يمكن استخدام هذا الرمز:",
    promotion_locked: "تمت تجربة رموز كثيرة جدًا؛ لا يمكن تطبيق رموز أخرى على هذا الطلب.",
    codes_throttled: "تمت تجربة رموز كثيرة جدًا من هذا الاتصال؛ انتظر دقيقة ثم حاول مرة أخرى.",
    receipt: "إيصال",
    paid_to: "مدفوع إلى",
    paid_on: "التاريخ",
    amount_paid: "المبلغ المدفوع",
    card: "البطاقة",
    refunded: "المبلغ المسترد",
    reference_number: "مرجع الدفع",
    session_changed: "تغيّرت عملية الدفع هذه؛ يرجى مراجعتها.",
    continue_shopping: "العودة إلى المتجر",
    save_title: "حفظ بطاقة لدى {merchant}",
    save_hint: "لن يتم خصم أي مبلغ الآن. يمكن لـ {merchant} الخصم من هذه البطاقة لاحقًا وفق اتفاقك معه.",
    save: "حفظ البطاقة",
    saving: "جارٍ التحقق من بطاقتك…",
    card_not_saved: "تعذر حفظ البطاقة",
    pay_with: "ادفع عبر {provider}",
    continue_at: "تابع في {provider}",
};

const JA: Words = Words {
    title: "お支払い",
    test_mode: "テストモード：4242 4242 4242 4242 などのテストカードをご利用ください。実際の請求は発生しません。",
    order: "ご注文内容",
    subtotal: "小計",
    discount: "割引",
    tax: "税",
    shipping: "送料",
    total: "合計",
    promotion_code: "プロモーションコード",
    apply: "適用",
    remove: "削除",
    card_number: "カード番号",
    expiry: "有効期限",
    expiry_hint: "MM / YY",
    cvc: "セキュリティコード",
    holder: "カード名義",
    pay: "支払う",
    cancel: "キャンセルしてショップに戻る",
    processing: "お支払いを処理しています…",
    processing_hint: "数秒かかります。ページは自動的に更新されます。",
    expired: "このお支払いの有効期限が切れました",
    expired_hint: "請求は発生していません。ショップに戻ってやり直してください。",
    canceled: "このお支払いはキャンセルされました",
    failed: "お支払いを完了できませんでした",
    not_found: "このお支払いリンクは無効です。",
    fix_errors: "強調表示された項目を修正してください。",
    attempts_left: "残りの試行回数：",
    declined: "カードが拒否されました。別のカードをお試しください。",
    insufficient_funds: "カードの残高が不足しています。別のカードをお試しください。",
    expired_card: "カードの有効期限が切れています。別のカードをお試しください。",
    processing_error: "カードを処理できませんでした。しばらくしてから再度お試しください。",
    invalid_number: "有効なカード番号を入力してください。",
    invalid_expiry: "有効期限を MM / YY 形式で入力してください（将来の日付）。",
    invalid_cvc: "3桁のセキュリティコードを入力してください（American Expressは4桁）。",
    missing_holder: "カードに記載の名義を入力してください。",
    code_refused: "このコードは使用できません：",
    promotion_locked: "試行回数が多すぎるため、この注文にはこれ以上コードを適用できません。",
    codes_throttled: "この接続からの試行回数が多すぎます。1分ほど待ってからもう一度お試しください。",
    receipt: "領収書",
    paid_to: "支払先",
    paid_on: "日付",
    amount_paid: "お支払い金額",
    card: "カード",
    refunded: "返金額",
    reference_number: "支払い番号",
    session_changed: "このお支払いは変更されました。内容をご確認ください。",
    continue_shopping: "ショップに戻る",
    save_title: "{merchant} にカードを登録",
    save_hint: "今は請求されません。{merchant} は、あなたとの合意に基づき、後日このカードに請求できます。",
    save: "カードを登録",
    saving: "カードを確認しています…",
    card_not_saved: "カードを登録できませんでした",
    pay_with: "{provider}で支払う",
    continue_at: "{provider}で続ける",
};

const NB: Words = Words {
    title: "Betaling",
    test_mode: "Testmodus: bruk et testkort som 4242 4242 4242 4242. Ingen penger trekkes.",
    order: "Din bestilling",
    subtotal: "Delsum",
    discount: "Rabatt",
    tax: "Mva.",
    shipping: "Frakt",
    total: "Totalt",
    promotion_code: "Rabattkode",
    apply: "Bruk",
    remove: "Fjern",
    card_number: "Kortnummer",
    expiry: "Utløpsdato",
    expiry_hint: "MM / ÅÅ",
    cvc: "Sikkerhetskode",
    holder: "Navn på kortet",
    pay: "Betal",
    cancel: "Avbryt og gå tilbake til butikken",
    processing: "Behandler betalingen…",
    processing_hint: "Dette tar noen sekunder. Siden oppdateres av seg selv.",
    expired: "Denne betalingen har utløpt",
    expired_hint: "Ingenting ble trukket. Gå tilbake til butikken for å begynne på nytt.",
    canceled: "Denne betalingen ble avbrutt",
    failed: "Betalingen kunne ikke fullføres",
    not_found: "Denne betalingslenken er ikke gyldig.",
    fix_errors: "Rett opp feltene som er markert.",
    attempts_left: "Forsøk igjen:",
    declined: "Kortet ble avvist. Prøv et annet kort.",
    insufficient_funds: "Det er ikke nok dekning på kortet. Prøv et annet kort.",
    expired_card: "Kortet er utløpt. Prøv et annet kort.",
    processing_error: "Kortet kunne ikke behandles. Prøv igjen om litt.",
    invalid_number: "Skriv inn et gyldig kortnummer.",
    invalid_expiry: "Skriv inn utløpsdatoen som MM / ÅÅ, fram i tid.",
    invalid_cvc: "Skriv inn den tresifrede sikkerhetskoden (fire sifre for American Express).",
    missing_holder: "Skriv inn navnet på kortet.",
    code_refused: "Denne koden kan ikke brukes:",
    promotion_locked: "For mange koder er prøvd; flere koder kan ikke brukes på denne bestillingen.",
    codes_throttled: "For mange koder er prøvd fra denne tilkoblingen; vent et minutt og prøv igjen.",
    receipt: "Kvittering",
    paid_to: "Betalt til",
    paid_on: "Dato",
    amount_paid: "Betalt beløp",
    card: "Kort",
    refunded: "Refundert",
    reference_number: "Betalingsreferanse",
    session_changed: "Denne betalingen ble endret i mellomtiden; se over den.",
    continue_shopping: "Tilbake til butikken",
    save_title: "Lagre et kort hos {merchant}",
    save_hint: "Ingenting trekkes nå. {merchant} kan belaste dette kortet senere, slik du har avtalt med dem.",
    save: "Lagre kort",
    saving: "Kontrollerer kortet ditt …",
    card_not_saved: "Kortet kunne ikke lagres",
    pay_with: "Betal med {provider}",
    continue_at: "Fortsett hos {provider}",
};

/// The words of `locale`.
pub fn words(locale: Locale) -> &'static Words {
    match locale {
        Locale::En => &EN,
        Locale::Ar => &AR,
        Locale::Ja => &JA,
        Locale::Nb => &NB,
    }
}

/// The message for a decline, from the payment's error code and the issuer's reason.
pub fn decline_message(w: &Words, code: &str, decline_code: Option<&str>) -> &'static str {
    match (code, decline_code) {
        (_, Some("insufficient_funds")) => w.insufficient_funds,
        ("expired_card", _) | (_, Some("expired_card")) => w.expired_card,
        ("processing_error", _) => w.processing_error,
        _ => w.declined,
    }
}

/// `minor` units of `currency`, written for `locale`: `$1,234.56`, `1 234,56 kr`, `¥1,234`,
/// `1,234.56 SAR`.
pub fn format_amount(minor: i64, currency: Currency, locale: Locale) -> String {
    let exp = u32::from(currency.exponent());
    let scale = 10i64.pow(exp);
    let (major, fraction) = (minor / scale, minor % scale);
    let (group, decimal) = match locale {
        Locale::Nb => ("\u{a0}", ","),
        _ => (",", "."),
    };
    let digits = major.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(ch);
    }
    let number = if exp == 0 { grouped } else { format!("{grouped}{decimal}{fraction:0width$}", width = exp as usize) };
    let symbol = match currency.code() {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        "NOK" if locale == Locale::Nb => Some("kr"),
        _ => None,
    };
    match (locale, symbol) {
        (Locale::Nb, Some(s)) => format!("{number}\u{a0}{s}"),
        (Locale::Nb | Locale::Ar, None) => format!("{number}\u{a0}{}", currency.code()),
        (Locale::Ar, Some(s)) => format!("{number}\u{a0}{s}"),
        (_, Some(s)) => format!("{s}{number}"),
        (_, None) => format!("{}\u{a0}{number}", currency.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_follow_the_currency_and_the_locale() {
        let c = |code| Currency::parse(code).unwrap();
        assert_eq!(format_amount(123456, c("USD"), Locale::En), "$1,234.56");
        assert_eq!(format_amount(123456, c("NOK"), Locale::Nb), "1\u{a0}234,56\u{a0}kr");
        assert_eq!(format_amount(1234, c("JPY"), Locale::Ja), "¥1,234");
        assert_eq!(format_amount(1234567, c("KWD"), Locale::En), "KWD\u{a0}1,234.567");
        assert_eq!(format_amount(12900, c("SAR"), Locale::Ar), "129.00\u{a0}SAR");
        assert_eq!(format_amount(5, c("USD"), Locale::En), "$0.05");
    }
}
