using System.Text;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Verification;

/// <summary>One thing a check found: an alert code (<see cref="AlertCode"/>) and the evidence in words.</summary>
public sealed record Finding(string Code, string Detail)
{
    /// <summary>Whether the finding is a warning (as opposed to a notification).</summary>
    public bool IsWarning => AlertCode.SeverityOf(Code) == AlertSeverity.Warning;
}

/// <summary>
/// What the checks made of a record the log proved: the pin to keep from now on (null: keep the old one), and
/// the findings. <see cref="Passed"/> means the record may be used: no warning was found.
/// </summary>
public sealed record Judgement(ContactPin? NewPin, IReadOnlyList<Finding> Findings)
{
    /// <summary>True when the record passed every check: its devices may receive messages.</summary>
    public bool Passed => Findings.All(f => !f.IsWarning);
}

/// <summary>
/// The whole-record checks a device makes on a value a verified KEYTRANS search returned (DESIGN §4, §5;
/// docs/ckv-protocol.md §2.5–§2.6): the record alone (decoding, place, signature, chain, possession proofs), then
/// against what the device pinned (counter, succession, account-key continuity, CKV state). Pure: the caller
/// persists the outcome.
/// </summary>
public static class RecordJudge
{
    /// <summary>Judges <paramref name="value"/>, proven for <paramref name="label"/> at <paramref name="version"/>.</summary>
    /// <param name="label">The label searched.</param>
    /// <param name="version">The version the proof is for.</param>
    /// <param name="value">The value as proven.</param>
    /// <param name="pin">What the device retained about the label, or null at first contact.</param>
    /// <param name="hasSavedCode">Whether the person saved a verification code for this contact (a cross-signed rotation then notifies).</param>
    /// <param name="nowMs">The device's clock.</param>
    public static Judgement Judge(string label, uint version, byte[] value, ContactPin? pin, bool hasSavedCode, ulong nowMs)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(value);
        HandleRecord record;
        try
        {
            // A record the device checked before is not checked twice (same bytes, same version).
            record = RecordCheck.Verify(value, Encoding.UTF8.GetBytes(label), version, pin?.Record);
        }
        catch (RecordException e)
        {
            return new Judgement(null, [Refused(e, value, pin)]);
        }

        if (pin is null)
        {
            return new Judgement(new ContactPin(label, record, record.Counter, nowMs, record.State == CkvState.On, true, null), []);
        }

        HandleRecord before = pin.Record;
        if (record.Version < before.Version || (record.Version == before.Version && !record.Equals(before)) ||
            KeyContinuity.CounterRegressed(pin.HighestCounter, record) ||
            (record.Version == before.Version + 1 && !KeyContinuity.Follows(before, record)))
        {
            return new Judgement(
                null,
                [new Finding(AlertCode.CounterRegression, $"version {record.Version} with counter {record.Counter} does not follow version {before.Version} with counter {before.Counter} (highest counter seen {pin.HighestCounter})")]);
        }

        var findings = new List<Finding>();
        switch (KeyContinuity.Compare(pin.AccountKey, record))
        {
            case KeyChange.CrossSigned when hasSavedCode:
                findings.Add(new Finding(AlertCode.CodeChanged, $"the account key changed by a rotation the old key signed; the new code is {PublicCode.Format(PublicCode.Derive(record.AccountKey))}"));
                break;
            case KeyChange.Uncrosssigned when pin.SeenOn || record.State == CkvState.On:
                findings.Add(new Finding(AlertCode.UncrossSignedKeyChange, $"the account key changed at version {record.Version} without a signature of the pinned key (an account reset, or an attack)"));
                break;
        }

        if (before.State == CkvState.On && record.State == CkvState.Off)
        {
            findings.Add(new Finding(AlertCode.ContactTurnedOff, $"contact key verification turned off at version {record.Version}, signed by the account key"));
        }
        else if (before.State != CkvState.Removed && record.State == CkvState.Removed)
        {
            findings.Add(new Finding(AlertCode.HandleRemoved, $"the handle was removed at version {record.Version}"));
        }

        bool passed = findings.All(f => !f.IsWarning);
        var newPin = new ContactPin(label, record, Math.Max(pin.HighestCounter, record.Counter), nowMs, pin.SeenOn || record.State == CkvState.On, passed, pin.Monitored);
        return new Judgement(newPin, findings);
    }

    private static Finding Refused(RecordException e, byte[] value, ContactPin? pin)
    {
        switch (e.Failure)
        {
            case RecordFailure.BadSignature:
                HandleRecord? claimed = TryDecode(value);
                if (claimed is not null && pin is not null)
                {
                    var known = pin.Record.Devices.Select(d => Convert.ToHexStringLower(d.DeviceId)).ToHashSet(StringComparer.Ordinal);
                    string[] strangers = claimed.Devices.Select(d => Convert.ToHexStringLower(d.DeviceId)).Where(id => !known.Contains(id)).ToArray();
                    if (strangers.Length > 0)
                    {
                        return new Finding(AlertCode.UnknownDevice, $"version {claimed.Version} lists device {string.Join(", ", strangers)}, which the account key did not sign");
                    }

                    if (claimed.State == CkvState.Off && pin.Record.State == CkvState.On)
                    {
                        return new Finding(AlertCode.UnsignedOptOut, $"version {claimed.Version} shows contact key verification off without the account key's signature");
                    }
                }

                return new Finding(AlertCode.BadSignature, e.Message);
            case RecordFailure.BrokenChain:
                return new Finding(AlertCode.BrokenChain, e.Message);
            case RecordFailure.BadDevice:
                return new Finding(AlertCode.BadDevice, e.Message);
            default:
                return new Finding(AlertCode.MalformedRecord, e.Message);
        }
    }

    private static HandleRecord? TryDecode(byte[] value)
    {
        try
        {
            return TlsCodec.Decode<HandleRecord>(value);
        }
        catch (KtFormatException)
        {
            return null;
        }
    }
}
