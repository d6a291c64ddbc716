using OpenCkv.KeyTransparency.Search;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Profiles;

/// <summary>
/// What a device retains about one contact's handle (docs/ckv-protocol.md §2.6): the account key and highest
/// counter it pinned, the last record that passed every check, and whether the latest check passed.
/// </summary>
/// <param name="Label">The handle's label.</param>
/// <param name="Record">The last record that passed every check.</param>
/// <param name="HighestCounter">The highest record counter seen for the handle.</param>
/// <param name="VerifiedMs">When <paramref name="Record"/> last passed (the device's clock).</param>
/// <param name="SeenOn">Whether CKV was ever seen on for this handle (uncross-signed key changes warn from then on).</param>
/// <param name="LastCheckPassed">Whether the latest check passed; nothing is encrypted to a handle whose latest check failed.</param>
/// <param name="Monitored">The label's contact-monitoring map (KT §8.2), or null when nothing is left to monitor.</param>
public sealed record ContactPin(string Label, HandleRecord Record, ulong HighestCounter, ulong VerifiedMs, bool SeenOn, bool LastCheckPassed, MonitoredLabel? Monitored)
{
    /// <summary>The pinned account key.</summary>
    public byte[] AccountKey => Record.AccountKey;
}
