namespace OpenCkv.Directory.Devices;

/// <summary>Why CKV cannot be turned on yet.</summary>
public enum BlockReason
{
    /// <summary>The account is managed (by an organisation): CKV is not offered.</summary>
    ManagedAccount,

    /// <summary>Two-factor authentication is off for the account.</summary>
    TwoFactorOff,

    /// <summary>A device runs software older than its platform's minimum: update it or sign it out.</summary>
    SoftwareTooOld,

    /// <summary>A device speaks an older protocol version: update it or sign it out.</summary>
    ProtocolTooOld,

    /// <summary>A device has keychain sync off: turn it on.</summary>
    KeychainOff,

    /// <summary>A device has no passcode: set one.</summary>
    NoPasscode,

    /// <summary>A device listed in the account's record never reported its facts to this server: sign it out.</summary>
    NotReported,
}

/// <summary>One reason CKV cannot be turned on, naming the device when it is about one, and the way out.</summary>
public sealed record Blocker(BlockReason Reason, byte[]? DeviceId, string? DeviceName, string WayOut);

/// <summary>
/// The requirements of DESIGN §1 for turning CKV on, evaluated against the account's signed-in devices: every
/// device on supported software, keychain sync on and a passcode set on every device, two-factor authentication
/// on, and not a managed account. (One account serves keychain and messaging here, so "the same account" holds by
/// construction.) Every blocker is returned, not only the first, so a person can fix them all at once.
/// </summary>
public static class CkvRequirements
{
    /// <summary>Every reason the account cannot turn CKV on; empty when it can.</summary>
    public static IReadOnlyList<Blocker> Check(bool managed, bool twoFactor, IEnumerable<DirectoryDevice> devices, SoftwareMinimums minimums, IEnumerable<byte[]>? unreported = null)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(minimums);
        var blockers = new List<Blocker>();
        if (managed)
        {
            blockers.Add(new Blocker(BlockReason.ManagedAccount, null, null, "contact key verification is not available for managed accounts"));
        }

        if (!twoFactor)
        {
            blockers.Add(new Blocker(BlockReason.TwoFactorOff, null, null, "turn on two-factor authentication for the account"));
        }

        foreach (DirectoryDevice device in devices)
        {
            DeviceFacts facts = device.Facts;
            if (!minimums.Supports(facts.Platform, facts.SoftwareVersion))
            {
                blockers.Add(new Blocker(
                    BlockReason.SoftwareTooOld,
                    device.DeviceId,
                    facts.Name,
                    $"update it to {PlatformNames.Name(facts.Platform)} software {minimums.For(facts.Platform)} or later, or sign it out"));
            }

            if (facts.ProtocolVersion < DeviceFacts.CurrentProtocolVersion)
            {
                blockers.Add(new Blocker(BlockReason.ProtocolTooOld, device.DeviceId, facts.Name, "update the app, or sign the device out"));
            }

            if (!facts.Keychain)
            {
                blockers.Add(new Blocker(BlockReason.KeychainOff, device.DeviceId, facts.Name, "turn on keychain sync on it, or sign it out"));
            }

            if (!facts.Passcode)
            {
                blockers.Add(new Blocker(BlockReason.NoPasscode, device.DeviceId, facts.Name, "set a passcode on it, or sign it out"));
            }
        }

        foreach (byte[] deviceId in unreported ?? [])
        {
            blockers.Add(new Blocker(BlockReason.NotReported, deviceId, null, "sign it out: the server does not know what it runs"));
        }

        return blockers;
    }

    /// <summary>Why one device may not be signed in while CKV is on (the same per-device rules as <see cref="Check"/>).</summary>
    public static IReadOnlyList<Blocker> CheckDevice(DirectoryDevice device, SoftwareMinimums minimums) =>
        Check(managed: false, twoFactor: true, [device], minimums);
}
