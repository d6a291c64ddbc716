using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Protocol.Tests;

/// <summary>Handle records built the way a device builds them, for tests.</summary>
internal static class Records
{
    public static readonly byte[] Label = "mailto:alice@example.com"u8.ToArray();

    public static byte[] AccountId { get; } = RandomNumberGenerator.GetBytes(HandleRecord.AccountIdSize);

    public static Device NewDevice(byte[] accountKey, byte[]? accountId = null) =>
        Device.Create(
            accountId ?? AccountId,
            accountKey,
            RandomNumberGenerator.GetBytes(Device.IdSize),
            EcdsaP256PrivateKey.Generate(),
            EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray(),
            EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray());

    /// <summary>A signed record with CKV on, <paramref name="devices"/> devices and the given chain.</summary>
    public static HandleRecord Signed(EcdsaP256PrivateKey accountKey, uint version = 3, ulong counter = 7, int devices = 2, IReadOnlyList<KeyLink>? chain = null)
    {
        byte[] key = accountKey.PublicKey.Encoded.ToArray();
        var record = new HandleRecord(
            HandleRecord.CurrentFormat, Label, version, AccountId, counter, new byte[32], CkvState.On, key,
            chain ?? [], [.. Enumerable.Range(0, devices).Select(_ => NewDevice(key))], []);
        return record.SignedBy(accountKey);
    }
}
