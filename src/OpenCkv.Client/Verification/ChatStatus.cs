using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Verification;

/// <summary>The one status a two-person chat shows (DESIGN §1), by its stable name in `--json` output.</summary>
public enum ChatStatusKind
{
    /// <summary>"Turn on Contact Key Verification": this account has CKV off.</summary>
    TurnOnCkv,

    /// <summary>A verification error: a warning next to the name.</summary>
    Warning,

    /// <summary>"NAME — Verification Off": the contact has a valid signed opt-out.</summary>
    VerificationOff,

    /// <summary>A checkmark next to the name: the saved code matches the verified account key.</summary>
    Verified,

    /// <summary>"Verify Contact": both have CKV on, the contact is not yet manually verified.</summary>
    VerifyContact,
}

/// <summary>A chat's status and, for a warning, the codes of its unacknowledged warnings.</summary>
public sealed record ChatStatus(ChatStatusKind Kind, IReadOnlyList<string> Reasons)
{
    /// <summary>
    /// The status engine of DESIGN §5, first match wins: own CKV off; any unacknowledged warning about the contact
    /// (sticky until acknowledged or re-verified); a contact never proven; a valid signed opt-out; a saved code
    /// matching the verified account key; otherwise "Verify Contact".
    /// </summary>
    /// <param name="ownCkvOn">Whether this account has CKV on (its own verified record says so).</param>
    /// <param name="pin">What the device verified about the contact's handle, or null if it never could.</param>
    /// <param name="savedCode">The contact card's saved verification code, if any.</param>
    /// <param name="warnings">The unacknowledged warnings about the contact's handle.</param>
    public static ChatStatus Of(bool ownCkvOn, ContactPin? pin, string? savedCode, IEnumerable<Alert> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        if (!ownCkvOn)
        {
            return new ChatStatus(ChatStatusKind.TurnOnCkv, []);
        }

        string[] reasons = warnings.Where(w => w.Severity == AlertSeverity.Warning && !w.Acknowledged).Select(w => w.Code).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (reasons.Length > 0)
        {
            return new ChatStatus(ChatStatusKind.Warning, reasons);
        }

        if (pin is null)
        {
            // Never proven: nothing is known, so nothing is shown as fine.
            return new ChatStatus(ChatStatusKind.Warning, [AlertCode.Unavailable]);
        }

        if (pin.Record.State != CkvState.On)
        {
            return new ChatStatus(ChatStatusKind.VerificationOff, []);
        }

        return savedCode is not null && pin.LastCheckPassed && PublicCode.Compare(savedCode, pin.AccountKey) == CodeMatch.Match
            ? new ChatStatus(ChatStatusKind.Verified, [])
            : new ChatStatus(ChatStatusKind.VerifyContact, []);
    }
}
