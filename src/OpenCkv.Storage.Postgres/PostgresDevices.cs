using Npgsql;
using OpenCkv.Directory.Devices;

namespace OpenCkv.Storage.Postgres;

/// <summary>A device's columns, shared by the devices table and join requests.</summary>
internal static class PostgresDevices
{
    public const string Columns = "account_id, device_id, name, platform, software_version, protocol_version, passcode, keychain, request_key, registered_ms";

    /// <summary>The ten column values, in <see cref="Columns"/> order.</summary>
    public static object[] Values(DirectoryDevice device)
    {
        DeviceFacts facts = device.Facts;
        return
        [
            device.AccountId, device.DeviceId, facts.Name, (long)facts.Platform, facts.SoftwareVersion.ToString(), (long)facts.ProtocolVersion,
            facts.Passcode, facts.Keychain, device.RequestKey, (long)device.RegisteredMs,
        ];
    }

    /// <summary>Reads the ten device columns starting at <paramref name="at"/>.</summary>
    public static DirectoryDevice Read(NpgsqlDataReader r, int at) => new(
        r.GetFieldValue<byte[]>(at),
        r.GetFieldValue<byte[]>(at + 1),
        new DeviceFacts(r.GetString(at + 2), (Platform)r.GetInt64(at + 3), Version.Parse(r.GetString(at + 4)), checked((int)r.GetInt64(at + 5)), r.GetBoolean(at + 6), r.GetBoolean(at + 7)),
        r.GetFieldValue<byte[]>(at + 8),
        (ulong)r.GetInt64(at + 9));
}
