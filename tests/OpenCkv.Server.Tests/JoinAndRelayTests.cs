using System.Net;
using System.Net.Http.Json;
using System.Text;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>Joining a second device through the relay, then keychain blobs and mailboxes between devices.</summary>
public sealed class JoinAndRelayTests
{
    [Fact]
    public async Task A_second_device_joins_through_the_exchange_and_then_blobs_and_messages_flow()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        using var tablet = DeviceKeys.Generate();

        // The tablet proves the handle and asks to join; before approval it is not signed in.
        JoinStartResponse ticket = await StartJoinAsync(server, alice.Label, tablet);
        var tabletCredentials = new DeviceCredentials(alice.AccountId, tablet.DeviceId, tablet.Request);
        DirectoryApiException early = await Assert.ThrowsAsync<DirectoryApiException>(() => alice.Client.AccountAsync(tabletCredentials));
        Assert.Equal("unauthenticated-unknown-device", early.Problem);

        // The approving phone sees the request; the tablet, from its KT-verified record of the handle, makes its
        // record entry under the account key and sends it through the exchange.
        JoinList pending = await GetAsync<JoinList>(server, alice, "/v1/joins");
        Assert.Equal(ticket.JoinId, Assert.Single(pending.Joins).JoinId);
        HandleRecord verified = (await bob.LookUpAsync(server, alice.Label)).Record;
        Device entry = tablet.EntryFor(verified.AccountId, verified.AccountKey);
        await PostJoinMessageAsync(server, ticket, TlsCodec.Encode(entry));

        JoinView exchange = await GetAsync<JoinView>(server, alice, $"/v1/join/{ticket.JoinId}");
        Device sent = TlsCodec.Decode<Device>(Convert.FromBase64String(Assert.Single(exchange.Messages).Body));

        // A record adding some other device is refused against the join request.
        using var intruder = DeviceKeys.Generate();
        HandleRecord[] wrong = alice.Next(devices: [.. alice.Records[alice.Label].Devices, intruder.EntryFor(alice.AccountId, verified.AccountKey)]);
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() =>
            alice.Client.ChangeAsync(alice.Credentials, Transition.DeviceAdded, wrong, Convert.FromHexString(ticket.JoinId)));
        Assert.Equal("record-rejected", refused.Problem);

        HandleRecord[] added = alice.Next(devices: [.. alice.Records[alice.Label].Devices, sent]);
        ChangeReceiptMessage receipt = await alice.Client.ChangeAsync(alice.Credentials, Transition.DeviceAdded, added, Convert.FromHexString(ticket.JoinId));
        alice.Records[alice.Label] = added[0];
        Assert.Equal(1u, receipt.Versions[alice.Label]);
        Assert.Equal("approved", (await JoinAsJoinerAsync(server, ticket)).State);
        Assert.Equal(2, (await alice.Client.AccountAsync(tabletCredentials)).Devices.Count);
        Assert.Equal(2, (await bob.LookUpAsync(server, alice.Label)).Record.Devices.Count);

        // Keychain blob from the phone to the tablet; versions only grow.
        await alice.Client.PutBlobAsync(alice.Credentials, tablet.DeviceId, 1, [1, 2, 3]);
        DirectoryApiException replay = await Assert.ThrowsAsync<DirectoryApiException>(() => alice.Client.PutBlobAsync(alice.Credentials, tablet.DeviceId, 1, [9]));
        Assert.Equal("not-allowed", replay.Problem);
        BlobList blobs = await alice.Client.BlobsAsync(tabletCredentials);
        Assert.Equal([1, 2, 3], Convert.FromBase64String(Assert.Single(blobs.Blobs).Body));
        await alice.Client.AcknowledgeBlobAsync(tabletCredentials, blobs.Blobs[0].Id);
        Assert.Empty((await alice.Client.BlobsAsync(tabletCredentials)).Blobs);

        // A blob for a device of another account is refused.
        DirectoryApiException foreign = await Assert.ThrowsAsync<DirectoryApiException>(() => alice.Client.PutBlobAsync(alice.Credentials, bob.Device.DeviceId, 2, [1]));
        Assert.Equal("not-found", foreign.Problem);

        // Bob messages both of Alice's devices; each sees its own copy until it acknowledges.
        SendResponse sentIds = await bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, "to phone"u8.ToArray()), (tablet.DeviceId, "to tablet"u8.ToArray())]);
        Assert.Equal(2, sentIds.Ids.Count);
        Inbox phone = await alice.Client.InboxAsync(alice.Credentials);
        IncomingMessage message = Assert.Single(phone.Messages);
        Assert.Equal("to phone", Encoding.UTF8.GetString(Convert.FromBase64String(message.Body)));
        Assert.Equal(Convert.ToHexStringLower(bob.Device.DeviceId), message.SenderDevice);
        await alice.Client.AcknowledgeAsync(alice.Credentials, [message.Id]);
        Assert.Empty((await alice.Client.InboxAsync(alice.Credentials)).Messages);
        Assert.Single((await alice.Client.InboxAsync(tabletCredentials)).Messages);

        // Messages only go to signed-in devices.
        DirectoryApiException nobody = await Assert.ThrowsAsync<DirectoryApiException>(() => bob.Client.SendAsync(bob.Credentials, [(intruder.DeviceId, [1])]));
        Assert.Equal("not-found", nobody.Problem);
    }

    [Fact]
    public async Task A_new_join_request_sweeps_the_requests_older_than_two_join_lifetimes()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using LoopbackServer server = await LoopbackServer.StartAsync(time: clock);
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        using var first = DeviceKeys.Generate();
        using var second = DeviceKeys.Generate();
        using var third = DeviceKeys.Generate();
        JoinStartResponse oldest = await StartJoinAsync(server, alice.Label, first);
        clock.Advance(OpenCkv.Directory.DirectoryService.JoinLifetime);
        JoinStartResponse older = await StartJoinAsync(server, alice.Label, second);
        clock.Advance(OpenCkv.Directory.DirectoryService.JoinLifetime + TimeSpan.FromSeconds(1));
        JoinStartResponse newest = await StartJoinAsync(server, alice.Label, third);

        using var relays = new OpenCkv.Storage.Sqlite.SqliteRelayStore(Path.Combine(server.Folder, "relay.db"));
        Assert.Null(relays.Join(Convert.FromHexString(oldest.JoinId)));
        Assert.NotNull(relays.Join(Convert.FromHexString(older.JoinId)));
        Assert.NotNull(relays.Join(Convert.FromHexString(newest.JoinId)));
    }

    [Fact]
    public async Task One_account_fills_at_most_a_fifth_of_a_mailbox_and_others_still_reach_it()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        TestAccount carol = await TestAccount.RegisterAsync(server, "mailto:carol@example.com");
        for (int i = 0; i < Directory.Relays.RelayService.MaxFromOneSender; i++)
        {
            await bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, [(byte)i])]);
        }

        DirectoryApiException full = await Assert.ThrowsAsync<DirectoryApiException>(() => bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, [1])]));
        Assert.Equal("mailbox-full", full.Problem);
        await carol.Client.SendAsync(carol.Credentials, [(alice.Device.DeviceId, "still here"u8.ToArray())]);

        // Once Alice fetched Bob's messages, he can send again.
        Inbox waiting = await alice.Client.InboxAsync(alice.Credentials);
        await alice.Client.AcknowledgeAsync(alice.Credentials, [.. waiting.Messages.Where(m => m.SenderDevice == Convert.ToHexStringLower(bob.Device.DeviceId)).Select(m => m.Id)]);
        await bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, [1])]);
    }

    [Fact]
    public async Task Removing_a_lost_device_rotates_the_key_and_keeps_the_remaining_device_signed_in_with_its_mail()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        using var tablet = DeviceKeys.Generate();
        JoinStartResponse ticket = await StartJoinAsync(server, alice.Label, tablet);
        HandleRecord current = alice.Records[alice.Label];
        HandleRecord[] added = alice.Next(devices: [.. current.Devices, tablet.EntryFor(alice.AccountId, current.AccountKey)]);
        await alice.Client.ChangeAsync(alice.Credentials, Transition.DeviceAdded, added, Convert.FromHexString(ticket.JoinId));
        alice.Records[alice.Label] = added[0];
        await bob.Client.SendAsync(bob.Credentials, [(alice.Device.DeviceId, "kept"u8.ToArray())]);

        // The tablet is lost: the phone rotates the account key (the old key cross-signs the new one) and re-makes
        // its own possession proof for the new key.
        using var newKey = OpenCkv.Crypto.Signatures.EcdsaP256PrivateKey.Generate();
        HandleRecord before = alice.Records[alice.Label];
        byte[] newPublic = newKey.PublicKey.Encoded.ToArray();
        KeyLink link = KeyLink.Create(alice.AccountId, alice.AccountKey, newPublic, before.Counter + 1);
        HandleRecord rotated = RecordBuilder.Next(before, before.Counter + 1, newKey, devices: [alice.Device.EntryFor(alice.AccountId, newPublic)], chain: [link]);
        await alice.Client.ChangeAsync(alice.Credentials, Transition.DeviceRemovedAsLost, [rotated]);

        AccountMessage account = await alice.Client.AccountAsync(alice.Credentials);
        Assert.Equal(Convert.ToHexStringLower(alice.Device.DeviceId), Assert.Single(account.Devices).DeviceId);
        Assert.Single((await alice.Client.InboxAsync(alice.Credentials)).Messages);
        DirectoryApiException lost = await Assert.ThrowsAsync<DirectoryApiException>(() =>
            server.NewClient().AccountAsync(new DeviceCredentials(alice.AccountId, tablet.DeviceId, tablet.Request)));
        Assert.Equal("unauthenticated-unknown-device", lost.Problem);
        HandleRecord found = (await bob.LookUpAsync(server, alice.Label)).Record;
        Assert.Equal(KeyChange.CrossSigned, KeyContinuity.Compare(before.AccountKey, found));
        Assert.True((await alice.Client.RequirementsAsync(alice.Credentials)).Blockers.All(b => b.Reason != "not-reported"));
    }

    [Fact]
    public async Task Owner_operations_answer_only_the_account_holding_the_label()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount mallory = await TestAccount.RegisterAsync(server, "mailto:mallory@example.com");
        byte[] request = TlsCodec.Encode(new OpenCkv.KeyTransparency.OwnerInitRequest(null, Encoding.UTF8.GetBytes(alice.Label), 0));

        Assert.NotEmpty(await alice.Client.KtAsync("owner-init", request, alice.Credentials));
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => mallory.Client.KtAsync("owner-init", request, mallory.Credentials));
        Assert.Equal("keytrans-request-refused", refused.Problem);
        DirectoryApiException anonymous = await Assert.ThrowsAsync<DirectoryApiException>(() => server.NewClient().KtAsync("owner-init", request, null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }

    [Fact]
    public async Task Joining_needs_the_handle_code_and_the_second_factor_and_a_token_reads_only_its_own_join()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        await alice.EnableTwoFactorAsync();
        using var tablet = DeviceKeys.Generate();
        JoinStartRequest request = JoinRequest(alice.Label, "000000", null, tablet);

        using (HttpResponseMessage noCode = await server.Http.PostAsJsonAsync("/v1/join", request))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noCode.StatusCode);
        }

        await alice.Client.RequestCodeAsync(alice.Label);
        request = request with { Code = await server.DevCodeAsync(alice.Label) };
        using (HttpResponseMessage noFactor = await server.Http.PostAsJsonAsync("/v1/join", request))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noFactor.StatusCode);
            Assert.Contains("wrong-second-factor", await noFactor.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Someone else's join token does not open this join.
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");
        using var other = DeviceKeys.Generate();
        JoinStartResponse bobTicket = await StartJoinAsync(server, bob.Label, other);
        using var peek = new HttpRequestMessage(HttpMethod.Get, $"/v1/join/{bobTicket.JoinId}");
        peek.Headers.Add("CKV-Join-Token", System.Buffers.Text.Base64Url.EncodeToString(new byte[32]));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.SendAsync(peek)).StatusCode);
        DirectoryApiException notHers = await Assert.ThrowsAsync<DirectoryApiException>(() => GetAsync<JoinView>(server, alice, $"/v1/join/{bobTicket.JoinId}"));
        Assert.Equal("not-found", notHers.Problem);
    }

    internal static async Task<JoinStartResponse> StartJoinAsync(LoopbackServer server, string label, DeviceKeys device, string? secondFactor = null)
    {
        await server.NewClient().RequestCodeAsync(label);
        using HttpResponseMessage response = await server.Http.PostAsJsonAsync("/v1/join", JoinRequest(label, await server.DevCodeAsync(label), secondFactor, device));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JoinStartResponse>())!;
    }

    private static JoinStartRequest JoinRequest(string label, string code, string? secondFactor, DeviceKeys device) => new(
        label,
        code,
        secondFactor,
        TestAccount.Facts("tablet"),
        Convert.ToHexStringLower(device.DeviceId),
        Convert.ToBase64String(device.Signing.PublicKey.Encoded.ToArray()),
        Convert.ToBase64String(device.EncryptionPublicKey),
        Convert.ToBase64String(device.Request.PublicKey.Encoded.ToArray()));

    private static async Task PostJoinMessageAsync(LoopbackServer server, JoinStartResponse ticket, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/join/{ticket.JoinId}/messages") { Content = JsonContent.Create(new JoinPost(Convert.ToBase64String(body))) };
        request.Headers.Add("CKV-Join-Token", ticket.Token);
        using HttpResponseMessage response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<JoinView> JoinAsJoinerAsync(LoopbackServer server, JoinStartResponse ticket)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/join/{ticket.JoinId}");
        request.Headers.Add("CKV-Join-Token", ticket.Token);
        using HttpResponseMessage response = await server.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JoinView>())!;
    }

    private static Task<T> GetAsync<T>(LoopbackServer server, TestAccount account, string path) => account.Client.GetAsync<T>(account.Credentials, path);
}
