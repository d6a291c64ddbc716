using System.Net.Mail;
using System.Text;
using PhoneNumbers;

namespace OpenCkv.Protocol;

/// <summary>A handle that cannot be a label: not a valid E.164 number or mail address, or too long.</summary>
public sealed class InvalidHandleException(string handle, string reason) : Exception($"'{handle}' is not a handle: {reason}")
{
    /// <summary>What was given.</summary>
    public string Handle { get; } = handle;
}

/// <summary>
/// Handles and the labels they are published under (DESIGN §4): <c>tel:</c> followed by an E.164 number that
/// libphonenumber accepts as valid, or <c>mailto:</c> followed by a lower-cased mail address; at most 255 bytes.
/// One person's handle written two ways (spaces in a number, capitals in an address) is one label.
/// </summary>
public static class HandleName
{
    /// <summary>The longest label KEYTRANS allows (KT §11.1: <c>opaque label&lt;0..2^8-1&gt;</c>).</summary>
    public const int MaxLabelBytes = 255;

    /// <summary>The label of <paramref name="handle"/> (<c>tel:+…</c> or <c>mailto:…</c>, the scheme optional).</summary>
    /// <exception cref="InvalidHandleException">The handle is not a valid number or address.</exception>
    public static string Normalize(string handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        string text = handle.Trim();
        string label = text switch
        {
            _ when text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase) => Phone(handle, text[4..]),
            _ when text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) => Mail(handle, text[7..]),
            _ when text.StartsWith('+') => Phone(handle, text),
            _ when text.Contains('@', StringComparison.Ordinal) => Mail(handle, text),
            _ => throw new InvalidHandleException(handle, "write a phone number as +<country code><number> or a mail address"),
        };

        if (Encoding.UTF8.GetByteCount(label) > MaxLabelBytes)
        {
            throw new InvalidHandleException(handle, $"a label is at most {MaxLabelBytes} bytes");
        }

        return label;
    }

    /// <summary>True when <paramref name="label"/> is already the normal form of a handle.</summary>
    public static bool IsLabel(string label)
    {
        try
        {
            return Normalize(label) == label;
        }
        catch (InvalidHandleException)
        {
            return false;
        }
    }

    private static string Phone(string handle, string number)
    {
        if (!number.StartsWith('+'))
        {
            throw new InvalidHandleException(handle, "a phone number starts with + and its country code");
        }

        PhoneNumberUtil numbers = PhoneNumberUtil.GetInstance();
        PhoneNumber parsed;
        try
        {
            parsed = numbers.Parse(number, null);
        }
        catch (NumberParseException e)
        {
            throw new InvalidHandleException(handle, e.Message);
        }

        if (!numbers.IsValidNumber(parsed))
        {
            throw new InvalidHandleException(handle, "not a valid phone number");
        }

        return "tel:" + numbers.Format(parsed, PhoneNumberFormat.E164);
    }

    private static string Mail(string handle, string address)
    {
        // Lower case (DESIGN §4), and nothing a mail client would show differently from what is stored: no display
        // name, no spaces, no control characters.
        string lowered = address.ToLowerInvariant();
        if (lowered.Length == 0 || lowered.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ||
            !MailAddress.TryCreate(lowered, out MailAddress? parsed) || parsed.Address != lowered ||
            parsed.Host.Length == 0 || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            throw new InvalidHandleException(handle, "not a mail address");
        }

        return "mailto:" + lowered;
    }
}
