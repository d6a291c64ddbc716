namespace OpenCkv.Directory.Publishing;

/// <summary>Where a change landed: the log entry and each handle's new version.</summary>
public sealed record ChangeReceipt(ulong Position, IReadOnlyDictionary<string, uint> Versions);

/// <summary>A new account: its ids and where its first record landed.</summary>
public sealed record Registration(byte[] AccountId, byte[] DeviceId, string Label, ChangeReceipt Receipt);
