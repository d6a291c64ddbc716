using System.Net;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>Turning CKV on and off, the requirements, and changes the directory must refuse.</summary>
public sealed class CkvChangeTests
{
    [Fact]
    public async Task Every_blocker_is_listed_and_CKV_turns_on_once_they_are_fixed()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com", TestAccount.Facts(version: "16.0", passcode: false));

        RequirementsMessage requirements = await alice.Client.RequirementsAsync(alice.Credentials);
        Assert.False(requirements.CanEnable);
        Assert.Equal(["two-factor-off", "software-too-old", "no-passcode"], requirements.Blockers.Select(b => b.Reason));
        Assert.All(requirements.Blockers.Skip(1), b => Assert.Equal(Convert.ToHexStringLower(alice.Device.DeviceId), b.DeviceId));
        Assert.Contains("17.2", requirements.Blockers[1].WayOut, StringComparison.Ordinal);

        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => alice.ChangeAsync(Transition.CkvOn, alice.Next(CkvState.On)));
        Assert.Equal((HttpStatusCode.Conflict, "requirements-not-met"), (refused.Status, refused.Problem));
        Assert.Contains("software-too-old", refused.Body, StringComparison.Ordinal);
        alice.Records[alice.Label] = (await alice.LookUpAsync(server, alice.Label)).Record; // nothing was published

        await alice.EnableTwoFactorAsync();
        await alice.Client.UpdateDeviceAsync(alice.Credentials, TestAccount.Facts(version: "17.2.1"));
        Assert.True((await alice.Client.RequirementsAsync(alice.Credentials)).CanEnable);

        ChangeReceiptMessage receipt = await alice.ChangeAsync(Transition.CkvOn, alice.Next(CkvState.On));
        Assert.Equal(1u, receipt.Versions[alice.Label]);
        (_, HandleRecord found) = await alice.LookUpAsync(server, alice.Label);
        Assert.Equal(CkvState.On, found.State);
        Assert.Equal("on", (await alice.Client.AccountAsync(alice.Credentials)).CkvState);

        // The second factor stays while CKV is on; CKV off is a signed record too.
        DirectoryApiException keep = await Assert.ThrowsAsync<DirectoryApiException>(() => alice.Client.DisableTwoFactorAsync(alice.Credentials, "123456"));
        Assert.Equal("not-allowed", keep.Problem);
        await alice.ChangeAsync(Transition.CkvOff, alice.Next(CkvState.Off));
        Assert.Equal(CkvState.Off, (await alice.LookUpAsync(server, alice.Label)).Record.State);
    }

    [Fact]
    public async Task Managed_accounts_cannot_turn_CKV_on()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        await alice.EnableTwoFactorAsync();
        using (var store = new Storage.Sqlite.SqliteDirectoryStore(Path.Combine(server.Folder, "directory.db")))
        {
            store.SetManaged(alice.AccountId, managed: true);
        }

        RequirementsMessage requirements = await alice.Client.RequirementsAsync(alice.Credentials);
        Assert.Equal("managed-account", Assert.Single(requirements.Blockers).Reason);
    }

    [Fact]
    public async Task Changes_that_do_not_fit_the_transition_table_are_refused_and_leave_the_log_unchanged()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        await alice.EnableTwoFactorAsync();
        HandleRecord current = alice.Records[alice.Label];

        // Signed by a key that is not the account's: the server cannot be handed someone else's record.
        using var stranger = EcdsaP256PrivateKey.Generate();
        HandleRecord foreign = (current with { AccountKey = stranger.PublicKey.Encoded.ToArray(), Version = 1, Counter = 2, PreviousRecordHash = current.Hash(), State = CkvState.On }).SignedBy(stranger);
        await AssertRefusedAsync(alice, Transition.CkvOn, foreign, "record-rejected");

        // CKV on that also adds a device.
        using var extra = DeviceKeys.Generate();
        HandleRecord withDevice = alice.Next(CkvState.On, [.. current.Devices, extra.EntryFor(alice.AccountId, current.AccountKey)])[0];
        await AssertRefusedAsync(alice, Transition.CkvOn, withDevice, "record-rejected");

        // The counter does not grow; the version skips one; the transition says off but the record says on.
        await AssertRefusedAsync(alice, Transition.CkvOn, RecordBuilder.Next(current, current.Counter, alice.AccountKey, CkvState.On), "record-rejected");
        await AssertRefusedAsync(alice, Transition.CkvOn, RecordBuilder.Next(current, current.Counter + 1, alice.AccountKey, CkvState.On) with { Version = 2 }, "record-rejected");
        await AssertRefusedAsync(alice, Transition.CkvOff, alice.Next(CkvState.On)[0], "record-rejected");

        // A device added by a signed-in device alone: adding needs the join exchange.
        DirectoryApiException join = await Assert.ThrowsAsync<DirectoryApiException>(() =>
            alice.ChangeAsync(Transition.DeviceAdded, alice.Next(devices: [.. current.Devices, extra.EntryFor(alice.AccountId, current.AccountKey)])));
        Assert.Equal("not-allowed", join.Problem);

        Assert.Equal(current, (await alice.LookUpAsync(server, alice.Label)).Record);
    }

    [Fact]
    public async Task Signing_out_the_only_device_is_refused_and_an_account_cannot_change_another()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount mallory = await TestAccount.RegisterAsync(server, "mailto:mallory@example.com");

        // A live record carries at least one device (docs/ckv-protocol.md §2.5).
        await AssertRefusedAsync(alice, Transition.DeviceSignedOut, alice.Next(devices: [])[0], "record-rejected");

        // Mallory submits a record for Alice's handle: not one of her handles.
        HandleRecord aliceNext = alice.Next(CkvState.On)[0];
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => mallory.Client.ChangeAsync(mallory.Credentials, Transition.CkvOn, [aliceNext]));
        Assert.Equal("requirements-not-met", refused.Problem); // her own account cannot turn on either
        await mallory.EnableTwoFactorAsync();
        refused = await Assert.ThrowsAsync<DirectoryApiException>(() => mallory.Client.ChangeAsync(mallory.Credentials, Transition.CkvOn, [aliceNext]));
        Assert.Equal("record-rejected", refused.Problem);
    }

    private static async Task AssertRefusedAsync(TestAccount account, Transition transition, HandleRecord record, string problem)
    {
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => account.Client.ChangeAsync(account.Credentials, transition, [record]));
        Assert.Equal(problem, refused.Problem);
    }
}
