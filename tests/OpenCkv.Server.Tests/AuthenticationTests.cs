using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using OpenCkv.Client.Http;

namespace OpenCkv.Server.Tests;

/// <summary>Request signatures (docs/ckv-protocol.md §3) on the wire: replay, tampering, another account, the clock, sessions.</summary>
public sealed class AuthenticationTests
{
    [Fact]
    public async Task A_signed_request_is_accepted_once_and_refused_when_replayed_or_tampered()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        byte[] body = "{\"facts\":{\"name\":\"phone\",\"platform\":\"phone\",\"softwareVersion\":\"18.0\",\"protocolVersion\":1,\"passcode\":true,\"keychain\":true}}"u8.ToArray();

        HttpRequestMessage signed = Signed(alice, HttpMethod.Put, "/v1/devices/self", body, alice.Credentials);
        HttpRequestMessage replay = Copy(signed, body);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.SendAsync(signed)).StatusCode);
        await AssertUnauthenticatedAsync(server, replay, "unauthenticated-replayed");

        // The same signature over another body, another path, another method.
        HttpRequestMessage original = Signed(alice, HttpMethod.Put, "/v1/devices/self", body, alice.Credentials);
        byte[] other = [.. body];
        other[^5] ^= 1;
        await AssertUnauthenticatedAsync(server, Copy(original, other), "unauthenticated-bad-signature");
        await AssertUnauthenticatedAsync(server, Copy(original, body, path: "/v1/devices/self?x=1"), "unauthenticated-bad-signature");
        await AssertUnauthenticatedAsync(server, Copy(original, [], method: HttpMethod.Post, path: "/v1/sessions"), "unauthenticated-bad-signature");
    }

    [Fact]
    public async Task A_device_key_cannot_act_for_another_account_or_device_and_the_clock_window_holds()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server, "mailto:bob@example.com");

        // Alice's request key under Bob's ids; Bob's device id under Alice's account.
        await AssertUnauthenticatedAsync(server, Signed(alice, HttpMethod.Post, "/v1/sessions", [], new DeviceCredentials(bob.AccountId, bob.Device.DeviceId, alice.Device.Request)), "unauthenticated-bad-signature");
        await AssertUnauthenticatedAsync(server, Signed(alice, HttpMethod.Post, "/v1/sessions", [], new DeviceCredentials(alice.AccountId, bob.Device.DeviceId, bob.Device.Request)), "unauthenticated-unknown-device");
        await AssertUnauthenticatedAsync(server, Signed(alice, HttpMethod.Post, "/v1/sessions", [], new DeviceCredentials(alice.AccountId, RandomNumberGenerator.GetBytes(16), alice.Device.Request)), "unauthenticated-unknown-device");

        // The message-signing key is not a request key.
        await AssertUnauthenticatedAsync(server, Signed(alice, HttpMethod.Post, "/v1/sessions", [], new DeviceCredentials(alice.AccountId, alice.Device.DeviceId, alice.Device.Signing)), "unauthenticated-bad-signature");

        // Six minutes off the server's clock, either way; and two minutes back, inside the window but before this
        // server process started, when a previous process might have accepted it.
        foreach (int minutes in new[] { -6, 6, -2 })
        {
            var skewed = new DirectoryClient(server.Http, new ShiftedTime(TimeSpan.FromMinutes(minutes)));
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sessions");
            skewed.Sign(request, [], alice.Credentials);
            await AssertUnauthenticatedAsync(server, request, "unauthenticated-outside-window");
        }
    }

    [Fact]
    public async Task A_session_token_reads_but_never_changes_the_account()
    {
        await using LoopbackServer server = await LoopbackServer.StartAsync();
        TestAccount alice = await TestAccount.RegisterAsync(server, "mailto:alice@example.com");
        var session = await alice.Client.OpenSessionAsync(alice.Credentials);

        using var read = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.SendAsync(read)).StatusCode);

        using var change = new HttpRequestMessage(HttpMethod.Post, "/v1/account/2fa");
        change.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
        await AssertUnauthenticatedAsync(server, change, "unauthenticated-missing");

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));
        await AssertUnauthenticatedAsync(server, forged, "unauthenticated-session-expired");
    }

    private static HttpRequestMessage Signed(TestAccount account, HttpMethod method, string path, byte[] body, DeviceCredentials credentials)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        account.Client.Sign(request, body, credentials);
        return request;
    }

    private static HttpRequestMessage Copy(HttpRequestMessage signed, byte[] body, HttpMethod? method = null, string? path = null)
    {
        var copy = new HttpRequestMessage(method ?? signed.Method, path ?? signed.RequestUri!.OriginalString) { Content = new ByteArrayContent(body) };
        copy.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var header in signed.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return copy;
    }

    private static async Task AssertUnauthenticatedAsync(LoopbackServer server, HttpRequestMessage request, string problem)
    {
        using HttpResponseMessage response = await server.Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("urn:openckv:problem:" + problem, body, StringComparison.Ordinal);
    }

    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
