using OpenCkv.Directory.Devices;
using OpenCkv.Protocol;

namespace OpenCkv.Directory.Accounts;

/// <summary>
/// An account as it stands: its handles with their newest published records, and its devices. The log is the
/// source of truth for what is signed — the account key, the CKV state and which devices are signed in are read
/// from the newest records — and the directory adds what is not published (each device's reported facts).
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="Records">Each handle's newest record (tombstones included), by label.</param>
/// <param name="Current">The newest record of a live handle: every live handle's agrees on key, state and devices. Null when no handle is live.</param>
/// <param name="Devices">The signed-in devices (listed in <paramref name="Current"/>) with their facts.</param>
/// <param name="Account">The account's row as it was read with the rest.</param>
public sealed record AccountView(
    byte[] AccountId,
    IReadOnlyDictionary<string, HandleRecord> Records,
    HandleRecord? Current,
    IReadOnlyList<DirectoryDevice> Devices,
    Storage.Account Account)
{
    /// <summary>The labels whose newest record is not a tombstone.</summary>
    public IEnumerable<string> LiveHandles => Records.Where(r => r.Value.State != CkvState.Removed).Select(r => r.Key);

    /// <summary>The request key of a signed-in device, or null.</summary>
    public byte[]? RequestKeyOf(byte[] deviceId) =>
        Current?.Devices.FirstOrDefault(d => d.DeviceId.AsSpan().SequenceEqual(deviceId))?.RequestKey;
}
