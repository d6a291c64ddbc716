using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client.Http;

/// <summary>
/// The directory server's HTTP API from a device. Requests that change the account are signed with the device's
/// request key (docs/ckv-protocol.md §3: method, path and query as sent, body hash, ids, time and a fresh nonce);
/// reads and searches may use a session token, opened with one signed request and renewed when it is about to
/// expire. KEYTRANS messages travel as TLS-encoded bytes, everything else as JSON.
/// </summary>
public sealed class DirectoryClient(HttpClient http, TimeProvider? time = null)
{
    /// <summary>The problem a server answers to a signed request whose timestamp lies outside its window (ckv-protocol §3).</summary>
    public const string OutsideWindow = "unauthenticated-outside-window";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Token, DateTimeOffset Expires)> _sessions = new(StringComparer.Ordinal);

    /// <summary>Asks the server to send a one-time code to the handle.</summary>
    public Task<HandleCodeResponse> RequestCodeAsync(string handle, CancellationToken cancellation = default) =>
        JsonAsync<HandleCodeResponse>(HttpMethod.Post, "/v1/handles/code", new HandleCodeRequest(handle), null, signed: false, cancellation);

    /// <summary>Creates an account.</summary>
    public Task<RegisterResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellation = default) =>
        JsonAsync<RegisterResponse>(HttpMethod.Post, "/v1/accounts", request, null, signed: false, cancellation);

    /// <summary>The account as it stands.</summary>
    public Task<AccountMessage> AccountAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<AccountMessage>(HttpMethod.Get, "/v1/account", null, device, signed: false, cancellation);

    /// <summary>Whether CKV can be turned on, with every blocker.</summary>
    public Task<RequirementsMessage> RequirementsAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<RequirementsMessage>(HttpMethod.Get, "/v1/account/requirements", null, device, signed: false, cancellation);

    /// <summary>Publishes a change as new signed records; adding a device names the join request it approves.</summary>
    public Task<ChangeReceiptMessage> ChangeAsync(DeviceCredentials device, Transition transition, IEnumerable<HandleRecord> records, byte[]? joinId = null, CancellationToken cancellation = default) =>
        JsonAsync<ChangeReceiptMessage>(
            HttpMethod.Post,
            "/v1/account/changes",
            new ChangeRequest(TransitionNames.Name(transition), Encoded(records), joinId is null ? null : Convert.ToHexStringLower(joinId)),
            device,
            signed: true,
            cancellation);

    /// <summary>Resets an account whose devices are all lost.</summary>
    public Task<ChangeReceiptMessage> ResetAsync(string handle, string code, string? secondFactor, DeviceFactsMessage facts, IEnumerable<HandleRecord> records, CancellationToken cancellation = default) =>
        JsonAsync<ChangeReceiptMessage>(HttpMethod.Post, "/v1/accounts/reset", new ResetRequest(handle, code, secondFactor, facts, Encoded(records)), null, signed: false, cancellation);

    /// <summary>Before a reset: the account and the newest record of each live handle, asked with the handle's code.</summary>
    public Task<ResetPrepareResponse> PrepareResetAsync(string handle, string code, CancellationToken cancellation = default) =>
        JsonAsync<ResetPrepareResponse>(HttpMethod.Post, "/v1/accounts/reset/prepare", new ResetPrepareRequest(handle, code), null, signed: false, cancellation);

    /// <summary>Deletes the account with the tombstone of every live handle.</summary>
    public Task<ChangeReceiptMessage> DeleteAccountAsync(DeviceCredentials device, IEnumerable<HandleRecord> tombstones, CancellationToken cancellation = default) =>
        JsonAsync<ChangeReceiptMessage>(HttpMethod.Delete, "/v1/account", new DeleteAccountRequest(Encoded(tombstones)), device, signed: true, cancellation);

    /// <summary>Queues one ciphertext per recipient device.</summary>
    public Task<SendResponse> SendAsync(DeviceCredentials device, IEnumerable<(byte[] RecipientDevice, byte[] Body)> messages, CancellationToken cancellation = default) =>
        JsonAsync<SendResponse>(
            HttpMethod.Post,
            "/v1/messages",
            new SendRequest(messages.Select(m => new OutgoingMessage(Convert.ToHexStringLower(m.RecipientDevice), Convert.ToBase64String(m.Body))).ToArray()),
            device,
            signed: false,
            cancellation);

    /// <summary>This device's waiting messages.</summary>
    public Task<Inbox> InboxAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<Inbox>(HttpMethod.Get, "/v1/messages", null, device, signed: false, cancellation);

    /// <summary>Deletes delivered messages.</summary>
    public Task AcknowledgeAsync(DeviceCredentials device, IReadOnlyList<long> ids, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Post, "/v1/messages/ack", new AckRequest(ids), device, signed: false, cancellation);

    /// <summary>Stores a keychain blob for another device of this account.</summary>
    public Task PutBlobAsync(DeviceCredentials device, byte[] recipientDevice, ulong version, byte[] body, CancellationToken cancellation = default) =>
        JsonAsync<object>(
            HttpMethod.Post, "/v1/keychain/blobs", new BlobRequest(Convert.ToHexStringLower(recipientDevice), version, Convert.ToBase64String(body)), device, signed: false, cancellation);

    /// <summary>The keychain blobs waiting for this device.</summary>
    public Task<BlobList> BlobsAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<BlobList>(HttpMethod.Get, "/v1/keychain/blobs", null, device, signed: false, cancellation);

    /// <summary>Deletes a delivered keychain blob.</summary>
    public Task AcknowledgeBlobAsync(DeviceCredentials device, long id, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Delete, $"/v1/keychain/blobs/{id}", null, device, signed: false, cancellation);

    /// <summary>A new device asks to join an account (the handle's code and the account's second factor).</summary>
    public Task<JoinStartResponse> StartJoinAsync(JoinStartRequest request, CancellationToken cancellation = default) =>
        JsonAsync<JoinStartResponse>(HttpMethod.Post, "/v1/join", request, null, signed: false, cancellation);

    /// <summary>A join request and its exchange, as the joining device sees it (with its join token).</summary>
    public Task<JoinView> JoinViewAsync(string joinId, string token, CancellationToken cancellation = default) =>
        JsonAsync<JoinView>(HttpMethod.Get, $"/v1/join/{joinId}", null, null, signed: false, cancellation, token);

    /// <summary>A join request and its exchange, as a signed-in device of the account sees it.</summary>
    public Task<JoinView> JoinViewAsDeviceAsync(DeviceCredentials device, string joinId, CancellationToken cancellation = default) =>
        JsonAsync<JoinView>(HttpMethod.Get, $"/v1/join/{joinId}", null, device, signed: false, cancellation);

    /// <summary>Posts a message of the join exchange: as the joining device (token) or a signed-in device.</summary>
    public Task PostJoinAsync(string joinId, byte[] body, string? token, DeviceCredentials? device, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Post, $"/v1/join/{joinId}/messages", new JoinPost(Convert.ToBase64String(body)), device, signed: false, cancellation, token);

    /// <summary>The account's waiting join requests.</summary>
    public Task<JoinList> JoinsAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<JoinList>(HttpMethod.Get, "/v1/joins", null, device, signed: false, cancellation);

    /// <summary>Refuses a join request.</summary>
    public Task RefuseJoinAsync(DeviceCredentials device, string joinId, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Post, $"/v1/join/{joinId}/refuse", null, device, signed: true, cancellation);

    /// <summary>A GET of one of the log's public listings (no credentials).</summary>
    public Task<T> LogAsync<T>(string path, CancellationToken cancellation = default) =>
        JsonAsync<T>(HttpMethod.Get, path, null, null, signed: false, cancellation);

    /// <summary>A GET of any JSON resource as this device (with a session).</summary>
    public Task<T> GetAsync<T>(DeviceCredentials device, string path, CancellationToken cancellation = default) =>
        JsonAsync<T>(HttpMethod.Get, path, null, device, signed: false, cancellation);

    private static string SessionKey(DeviceCredentials device) =>
        Convert.ToHexString(device.AccountId) + Convert.ToHexString(device.DeviceId) + Convert.ToHexString(device.RequestKey.PublicKey.Encoded);

    private static string[] Encoded(IEnumerable<HandleRecord> records) =>
        records.Select(r => Convert.ToBase64String(KeyTransparency.Tls.TlsCodec.Encode(r))).ToArray();

    /// <summary>Replaces what this device reports about itself.</summary>
    public Task UpdateDeviceAsync(DeviceCredentials device, DeviceFactsMessage facts, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Put, "/v1/devices/self", new DeviceUpdateRequest(facts), device, signed: true, cancellation);

    /// <summary>Issues a second-factor secret.</summary>
    public Task<TwoFactorEnrollment> BeginTwoFactorAsync(DeviceCredentials device, CancellationToken cancellation = default) =>
        JsonAsync<TwoFactorEnrollment>(HttpMethod.Post, "/v1/account/2fa", null, device, signed: true, cancellation);

    /// <summary>Turns the second factor on.</summary>
    public Task ConfirmTwoFactorAsync(DeviceCredentials device, string code, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Post, "/v1/account/2fa/confirm", new TwoFactorCode(code), device, signed: true, cancellation);

    /// <summary>Turns the second factor off.</summary>
    public Task DisableTwoFactorAsync(DeviceCredentials device, string code, CancellationToken cancellation = default) =>
        JsonAsync<object>(HttpMethod.Post, "/v1/account/2fa/disable", new TwoFactorCode(code), device, signed: true, cancellation);

    /// <summary>The log's configuration in its TLS encoding (compare its SHA-256 with the pinned fingerprint).</summary>
    public async Task<byte[]> ConfigurationAsync(CancellationToken cancellation = default)
    {
        using HttpResponseMessage response = await http.GetAsync(new Uri("/v1/log/configuration", UriKind.Relative), cancellation).ConfigureAwait(false);
        await EnsureAsync(response, cancellation).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// A KEYTRANS operation (<c>search</c>, <c>monitor</c>, <c>owner-init</c>, <c>owner-monitor</c>,
    /// <c>distinguished</c>, <c>update</c>): the request's TLS encoding in, the response's out. Authenticated by a
    /// session when <paramref name="device"/> is given.
    /// </summary>
    public async Task<byte[]> KtAsync(string operation, byte[] request, DeviceCredentials? device, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/kt/" + operation) { Content = new ByteArrayContent(request) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (device is not null)
        {
            await AuthorizeAsync(message, request, device, signed: false, cancellation).ConfigureAwait(false);
        }

        using HttpResponseMessage response = await http.SendAsync(message, cancellation).ConfigureAwait(false);
        await EnsureAsync(response, cancellation).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Opens a session with one signed request.</summary>
    public async Task<SessionResponse> OpenSessionAsync(DeviceCredentials device, CancellationToken cancellation = default)
    {
        SessionResponse session = await JsonAsync<SessionResponse>(HttpMethod.Post, "/v1/sessions", null, device, signed: true, cancellation).ConfigureAwait(false);
        _sessions[SessionKey(device)] = (session.Token, session.Expires);
        return session;
    }

    /// <summary>Signs <paramref name="message"/> for <paramref name="device"/> (docs/ckv-protocol.md §3).</summary>
    public void Sign(HttpRequestMessage message, byte[] body, DeviceCredentials device)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(device);
        string target = message.RequestUri!.IsAbsoluteUri ? message.RequestUri.PathAndQuery : message.RequestUri.OriginalString;
        ulong now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();
        byte[] nonce = RandomNumberGenerator.GetBytes(16);
        byte[] signature = device.RequestKey.Sign(RequestSignature.ToBeSigned(message.Method.Method, target, body, device.AccountId, device.DeviceId, now, nonce));
        message.Headers.Add("CKV-Account", Convert.ToHexStringLower(device.AccountId));
        message.Headers.Add("CKV-Device", Convert.ToHexStringLower(device.DeviceId));
        message.Headers.Add("CKV-Timestamp", now.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add("CKV-Nonce", System.Buffers.Text.Base64Url.EncodeToString(nonce));
        message.Headers.Add("CKV-Signature", System.Buffers.Text.Base64Url.EncodeToString(signature));
    }

    private async Task AuthorizeAsync(HttpRequestMessage message, byte[] body, DeviceCredentials device, bool signed, CancellationToken cancellation)
    {
        if (signed)
        {
            Sign(message, body, device);
            return;
        }

        // One session per device: a client may act for several devices (a test, or an app with several profiles).
        if (!_sessions.TryGetValue(SessionKey(device), out (string Token, DateTimeOffset Expires) session) || session.Expires - _time.GetUtcNow() < TimeSpan.FromMinutes(1))
        {
            SessionResponse opened = await OpenSessionAsync(device, cancellation).ConfigureAwait(false);
            session = (opened.Token, opened.Expires);
        }

        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Token);
    }

    private async Task<T> JsonAsync<T>(HttpMethod method, string path, object? body, DeviceCredentials? device, bool signed, CancellationToken cancellation, string? joinToken = null)
    {
        byte[] bytes = body is null ? [] : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), JsonOptions);
        for (int attempt = 1; ; attempt++)
        {
            using var message = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                message.Content = new ByteArrayContent(bytes);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            if (device is not null)
            {
                await AuthorizeAsync(message, bytes, device, signed, cancellation).ConfigureAwait(false);
            }
            else if (joinToken is not null)
            {
                message.Headers.Add("CKV-Join-Token", joinToken);
            }

            using HttpResponseMessage response = await http.SendAsync(message, cancellation).ConfigureAwait(false);
            try
            {
                await EnsureAsync(response, cancellation).ConfigureAwait(false);
            }
            catch (DirectoryApiException e) when (signed && attempt == 1 && e.Problem == OutsideWindow)
            {
                // Signed just before a server restart, or a moment too early: a fresh signature settles it. A second
                // refusal is a clock that really is off, and the caller hears of it.
                continue;
            }

            return await ReadAsync<T>(response, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (response.StatusCode == System.Net.HttpStatusCode.NoContent || typeof(T) == typeof(object))
        {
            return default!;
        }

        return await response.Content.ReadFromJsonAsync<T>(JsonOptions, cancellation).ConfigureAwait(false)
            ?? throw new DirectoryApiException(response.StatusCode, "empty-response", "The server sent no body.", null);
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellation)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
        string problem = response.StatusCode.ToString();
        string? detail = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("type", out JsonElement type) && type.GetString() is { } t && t.StartsWith("urn:openckv:problem:", StringComparison.Ordinal))
            {
                problem = t["urn:openckv:problem:".Length..];
            }

            detail = document.RootElement.TryGetProperty("detail", out JsonElement d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            // not a problem document: keep the status
        }

        throw new DirectoryApiException(response.StatusCode, problem, detail, body);
    }
}
