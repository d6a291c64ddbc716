using System.Net;
using OpenCkv.Client.Http;
using OpenCkv.Client.Records;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>Registration over HTTP on a real loopback server: the first record, the handle's code, and what is refused.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public async Task A_registered_handle_is_found_by_a_verified_search_with_its_signed_first_record()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:Alice@Example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server, "+1 202 555 0101");

        Assert.Equal("mailto:alice@example.com", alice.Label);
        Assert.Equal("tel:+12025550101", bob.Label);

        (var search, HandleRecord found) = await bob.LookUpAsync(server, alice.Label);
        Assert.Equal(0u, search.Version);
        Assert.Equal(alice.Records[alice.Label], found);
        Assert.Equal(CkvState.Off, found.State);

        AccountMessage account = await alice.Client.AccountAsync(alice.Credentials);
        Assert.Equal("off", account.CkvState);
        Assert.False(account.TwoFactor);
        DeviceMessage device = Assert.Single(account.Devices);
        Assert.Equal(Convert.ToHexStringLower(alice.Device.DeviceId), device.DeviceId);
        Assert.Equal("17.2", device.Facts.SoftwareVersion);
    }

    [Fact]
    public async Task Wrong_codes_are_refused_then_locked_out_and_a_taken_handle_cannot_be_registered_again()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        DirectoryClient client = server.NewClient();
        const string handle = "mailto:carol@example.com";
        await client.RequestCodeAsync(handle);
        string code = await server.DevCodeAsync(handle);
        string wrong = code == "000000" ? "000001" : "000000";
        RegisterRequest request = NewRegistration(handle, wrong, out _);

        DirectoryApiException first = await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(request));
        Assert.Equal((HttpStatusCode.Forbidden, "wrong-code"), (first.Status, first.Problem));
        for (int i = 1; i < 5; i++)
        {
            await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(request));
        }

        // Five wrong guesses spend the code: even the right one is refused now.
        DirectoryApiException locked = await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(NewRegistration(handle, code, out _)));
        Assert.Equal((HttpStatusCode.TooManyRequests, "too-many-attempts"), (locked.Status, locked.Problem));

        await TestAccount.RegisterAsync(server, "mailto:dave@example.com");
        await client.RequestCodeAsync("mailto:dave@example.com");
        DirectoryApiException taken = await Assert.ThrowsAsync<DirectoryApiException>(() =>
            client.RegisterAsync(NewRegistration("mailto:dave@example.com", server.DevCodeAsync("mailto:dave@example.com").Result, out _)));
        Assert.Equal((HttpStatusCode.Conflict, "handle-taken"), (taken.Status, taken.Problem));
    }

    [Fact]
    public async Task A_first_record_that_is_not_a_plain_first_record_is_refused_and_nothing_is_published()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        DirectoryClient client = server.NewClient();
        const string handle = "mailto:erin@example.com";
        ulong before = await server.TreeSizeAsync();

        // CKV on at registration: the requirements were never checked.
        await client.RequestCodeAsync(handle);
        RegisterRequest on = NewRegistration(handle, await server.DevCodeAsync(handle), out _, record => record with { State = CkvState.On });
        DirectoryApiException refused = await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(on));
        Assert.Equal(((HttpStatusCode)422, "record-rejected"), (refused.Status, refused.Problem));

        // Published under another label, or at version 1.
        RegisterRequest elsewhere = NewRegistration(handle, await server.DevCodeAsync(handle), out _, record => record with { Label = "mailto:frank@example.com"u8.ToArray() });
        Assert.Equal("record-rejected", (await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(elsewhere))).Problem);
        RegisterRequest later = NewRegistration(handle, await server.DevCodeAsync(handle), out _, record => record with { Version = 1 });
        Assert.Equal("record-rejected", (await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(later))).Problem);

        // A record whose signature does not cover what it says.
        RegisterRequest flipped = NewRegistration(handle, await server.DevCodeAsync(handle), out _, sign: false, change: record => record with { Counter = 2 });
        Assert.Equal("record-rejected", (await Assert.ThrowsAsync<DirectoryApiException>(() => client.RegisterAsync(flipped))).Problem);

        Assert.Equal(before, await server.TreeSizeAsync());
        RegisterRequest right = NewRegistration(handle, await server.DevCodeAsync(handle), out _);
        Assert.Equal(0u, (await client.RegisterAsync(right)).Receipt.Versions["mailto:erin@example.com"]);
    }

    [Fact]
    public async Task Concurrent_registrations_are_batched_into_few_entries_and_each_is_acknowledged_at_its_entry()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync(o => o with { SensitivePerMinute = 100, Sequencer = o.Sequencer with { BatchInterval = TimeSpan.FromMilliseconds(200) } });
        ulong before = await server.TreeSizeAsync();
        TestAccount[] accounts = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => TestAccount.RegisterAsync(server, $"mailto:user{i}@example.com")));
        ulong after = await server.TreeSizeAsync();

        Assert.InRange(after - before, 1UL, 8UL);
        using var entries = System.Text.Json.JsonDocument.Parse(await server.Http.GetStringAsync(new Uri($"/v1/log/entries?from={before}", UriKind.Relative)));
        int published = entries.RootElement.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("newVersions").GetInt32());
        Assert.Equal(accounts.Length, published);
        foreach (TestAccount account in accounts.Take(3))
        {
            Assert.Equal(account.Records[account.Label], (await accounts[^1].LookUpAsync(server, account.Label)).Record);
        }
    }

    internal static RegisterRequest NewRegistration(string handle, string code, out EcdsaP256PrivateKey accountKey, Func<HandleRecord, HandleRecord>? change = null, bool sign = true)
    {
        byte[] accountId = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        accountKey = EcdsaP256PrivateKey.Generate();
        using var device = DeviceKeys.Generate();
        string label = OpenCkv.Protocol.HandleName.Normalize(handle);
        HandleRecord record = RecordBuilder.First(label, accountId, accountKey, [device.EntryFor(accountId, accountKey.PublicKey.Encoded.ToArray())]);
        if (change is not null)
        {
            record = change(record);
            record = sign ? record.SignedBy(accountKey) : record;
        }

        return new RegisterRequest(handle, code, TestAccount.Facts(), Convert.ToBase64String(TlsCodec.Encode(record)));
    }
}
