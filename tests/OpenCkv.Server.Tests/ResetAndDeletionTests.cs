using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>Account reset (the only uncross-signed key change) and account deletion.</summary>
public sealed class ResetAndDeletionTests
{
    [Fact]
    public async Task A_reset_needs_code_and_second_factor_brings_a_new_key_and_signs_the_old_devices_out()
    {
        var time = new MovableTime();
        await using LoopbackServer server = await LoopbackServer.StartAsync(time: time);
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        byte[] secret = await EnableTwoFactorAsync(alice);
        await alice.ChangeAsync(Transition.CkvOn, alice.Next(CkvState.On));
        HandleRecord before = alice.Records[alice.Label];

        using var newKey = EcdsaP256PrivateKey.Generate();
        using var phone = DeviceKeys.Generate();
        HandleRecord reset = (before with
        {
            Version = before.Version + 1,
            Counter = before.Counter + 1,
            PreviousRecordHash = before.Hash(),
            AccountKey = newKey.PublicKey.Encoded.ToArray(),
            Chain = [],
            Devices = [phone.EntryFor(alice.AccountId, newKey.PublicKey.Encoded.ToArray())],
        }).SignedBy(newKey);
        DirectoryClient client = server.NewClient();

        // The code alone is not enough once the account has a second factor.
        await client.RequestCodeAsync(alice.Label);
        DirectoryApiException noFactor = await Assert.ThrowsAsync<DirectoryApiException>(() =>
            client.ResetAsync(alice.Label, server.DevCodeAsync(alice.Label).Result, null, TestAccount.Facts(), [reset]));
        Assert.Equal("wrong-second-factor", noFactor.Problem);

        time.Advance(TimeSpan.FromSeconds(30)); // a fresh authenticator step
        string totp = new OtpNet.Totp(secret).ComputeTotp(time.GetUtcNow().UtcDateTime);
        ChangeReceiptMessage receipt = await client.ResetAsync(alice.Label, await server.DevCodeAsync(alice.Label), totp, TestAccount.Facts(), [reset]);
        Assert.Equal(before.Version + 1, receipt.Versions[alice.Label]);

        HandleRecord found = (await (await TestAccount.RegisterAsync(server, "mailto:bob@example.com")).LookUpAsync(server, alice.Label)).Record;
        Assert.Equal(reset, found);
        Assert.Equal(CkvState.On, found.State);
        Assert.Equal(KeyChange.Uncrosssigned, KeyContinuity.Compare(before.AccountKey, found));

        DirectoryApiException oldDevice = await Assert.ThrowsAsync<DirectoryApiException>(() => server.NewClient().AccountAsync(alice.Credentials));
        Assert.Equal("unauthenticated-unknown-device", oldDevice.Problem);
        AccountMessage account = await server.NewClient().AccountAsync(new DeviceCredentials(alice.AccountId, phone.DeviceId, phone.Request));
        Assert.Equal(Convert.ToHexStringLower(phone.DeviceId), Assert.Single(account.Devices).DeviceId);
    }

    [Fact]
    public async Task A_deleted_account_leaves_tombstones_and_its_handle_can_start_over()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        TestAccount carol = await TestAccount.RegisterAsync(server, "mailto:carol@example.com");
        HandleRecord last = bob.Records[bob.Label];
        HandleRecord tombstone = RecordBuilder.Next(last, last.Counter + 1, bob.AccountKey, CkvState.Removed, devices: []);

        await bob.Client.DeleteAccountAsync(bob.Credentials, [tombstone]);
        Assert.Equal(CkvState.Removed, (await carol.LookUpAsync(server, bob.Label)).Record.State);
        DirectoryApiException gone = await Assert.ThrowsAsync<DirectoryApiException>(() => server.NewClient().AccountAsync(bob.Credentials));
        Assert.Equal("unauthenticated-unknown-device", gone.Problem);

        // A new owner registers the handle: the next version after the tombstone, with a greater counter.
        DirectoryClient client = server.NewClient();
        await client.RequestCodeAsync(bob.Label);
        using var key = EcdsaP256PrivateKey.Generate();
        using var device = DeviceKeys.Generate();
        byte[] accountId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        HandleRecord first = (RecordBuilder.First(bob.Label, accountId, key, [device.EntryFor(accountId, key.PublicKey.Encoded.ToArray())])
            with { Version = tombstone.Version + 1, Counter = tombstone.Counter + 1 }).SignedBy(key);
        RegisterResponse registered = await client.RegisterAsync(new RegisterRequest(bob.Label, await server.DevCodeAsync(bob.Label), TestAccount.Facts(), Convert.ToBase64String(TlsCodec.Encode(first))));
        Assert.Equal(tombstone.Version + 1, registered.Receipt.Versions[bob.Label]);
        Assert.Equal(first, (await carol.LookUpAsync(server, bob.Label)).Record);
    }

    private static async Task<byte[]> EnableTwoFactorAsync(TestAccount account)
    {
        TwoFactorEnrollment enrollment = await account.Client.BeginTwoFactorAsync(account.Credentials);
        byte[] secret = OtpNet.Base32Encoding.ToBytes(enrollment.Secret);
        await account.Client.ConfirmTwoFactorAsync(account.Credentials, new OtpNet.Totp(secret).ComputeTotp());
        return secret;
    }
}

/// <summary>The system clock, moved forward by hand.</summary>
public sealed class MovableTime : TimeProvider
{
    private TimeSpan _offset;

    public void Advance(TimeSpan by) => _offset += by;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
}
