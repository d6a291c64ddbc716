namespace OpenCkv.Directory.Devices;

/// <summary>
/// What a device reports about itself to the server (never published in the log, DESIGN §4): its name, platform,
/// software and protocol versions, and whether a passcode is set and keychain sync is on.
/// </summary>
public sealed record DeviceFacts(string Name, Platform Platform, Version SoftwareVersion, int ProtocolVersion, bool Passcode, bool Keychain)
{
    /// <summary>The longest device name kept.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The protocol version this server speaks (docs/ckv-protocol.md, format version 1).</summary>
    public const int CurrentProtocolVersion = 1;
}

/// <summary>A device of an account as the directory keeps it: its facts and its request key.</summary>
public sealed record DirectoryDevice(byte[] AccountId, byte[] DeviceId, DeviceFacts Facts, byte[] RequestKey, ulong RegisteredMs);
