using Microsoft.Data.Sqlite;
using OpenCkv.Directory.Devices;

namespace OpenCkv.Storage.Sqlite;

/// <summary>A device's columns, shared by the devices table and join requests.</summary>
internal static class DeviceRows
{
    public const string Columns = "account_id, device_id, name, platform, software_version, protocol_version, passcode, keychain, request_key, registered_ms";

    public const string Placeholders = "$a, $d, $n, $p, $v, $pv, $pc, $k, $r, $t";

    public static (string Name, object? Value)[] Parameters(DirectoryDevice device)
    {
        DeviceFacts facts = device.Facts;
        return
        [
            ("$a", device.AccountId), ("$d", device.DeviceId), ("$n", facts.Name), ("$p", (int)facts.Platform), ("$v", facts.SoftwareVersion.ToString()),
            ("$pv", facts.ProtocolVersion), ("$pc", facts.Passcode), ("$k", facts.Keychain), ("$r", device.RequestKey), ("$t", (long)device.RegisteredMs),
        ];
    }

    /// <summary>Reads the ten device columns starting at <paramref name="at"/>.</summary>
    public static DirectoryDevice Read(SqliteDataReader r, int at) => new(
        (byte[])r[at],
        (byte[])r[at + 1],
        new DeviceFacts(r.GetString(at + 2), (Platform)r.GetInt32(at + 3), Version.Parse(r.GetString(at + 4)), r.GetInt32(at + 5), r.GetBoolean(at + 6), r.GetBoolean(at + 7)),
        (byte[])r[at + 8],
        (ulong)r.GetInt64(at + 9));
}
