using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory;
using OpenCkv.Directory.Authentication;
using OpenCkv.Directory.Storage;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// The relays: joining a device (the request with handle code and second factor, the exchange between the joining
/// and an approving device, refusal), device mailboxes, and keychain blobs. The server passes opaque bytes; the
/// devices authenticate what they carry (docs/ckv-protocol.md §6).
/// </summary>
internal static class RelayEndpoints
{
    public const string JoinTokenHeader = "CKV-Join-Token";

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder join = app.MapGroup("/v1").WithTags("Joining a device");
        join.MapPost("/join", StartJoinAsync).WithSummary("A new device asks to join an account (handle code and second factor)").Accepts<JoinStartRequest>("application/json").Produces<JoinStartResponse>(201);
        join.MapGet("/join/{id}", JoinAsync).WithSummary("The join request and its exchange (the joining device with CKV-Join-Token, or a signed-in device)").Produces<JoinView>();
        join.MapPost("/join/{id}/messages", PostJoinAsync).WithSummary("Adds a message to the join exchange").Accepts<JoinPost>("application/json").Produces(204);
        join.MapPost("/join/{id}/refuse", RefuseJoinAsync).WithSummary("A signed-in device refuses the join request").Produces(204);
        join.MapGet("/joins", PendingJoinsAsync).WithSummary("The account's waiting join requests").Produces<JoinList>();

        RouteGroupBuilder relay = app.MapGroup("/v1").WithTags("Relays");
        relay.MapPost("/messages", SendAsync).WithSummary("Queues one ciphertext per recipient device").Accepts<SendRequest>("application/json").Produces<SendResponse>();
        relay.MapGet("/messages", InboxAsync).WithSummary("This device's waiting messages, oldest first").Produces<Inbox>();
        relay.MapPost("/messages/ack", AckAsync).WithSummary("Deletes delivered messages").Accepts<AckRequest>("application/json").Produces(204);
        relay.MapPost("/keychain/blobs", PutBlobAsync).WithSummary("Stores a keychain blob for another device of this account").Accepts<BlobRequest>("application/json").Produces(201);
        relay.MapGet("/keychain/blobs", BlobsAsync).WithSummary("The keychain blobs waiting for this device").Produces<BlobList>();
        relay.MapDelete("/keychain/blobs/{id:long}", AckBlobAsync).WithSummary("Deletes a delivered keychain blob").Produces(204);
    }

    private static async Task<IResult> StartJoinAsync(HttpContext context, ServerState state)
    {
        JoinStartRequest request = Json.Parse<JoinStartRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        state.Limits.Sensitive(AccountEndpoints.Address(context), "join:" + AccountEndpoints.Normalized(request.Handle));
        JoinTicket ticket = await state.Directory.StartJoinAsync(
            request.Handle,
            request.Code,
            request.SecondFactor,
            Conversions.Facts(request.Device),
            Json.Id(request.DeviceId, "deviceId"),
            Json.Base64(request.SigningKey, "signingKey"),
            Json.Base64(request.EncryptionKey, "encryptionKey"),
            Json.Base64(request.RequestKey, "requestKey")).ConfigureAwait(false);
        return Results.Created($"/v1/join/{Conversions.Hex(ticket.JoinId)}", new JoinStartResponse(Conversions.Hex(ticket.JoinId), ticket.Token, Conversions.Hex(ticket.AccountId)));
    }

    private static async Task<JoinView> JoinAsync(HttpContext context, ServerState state, string id, long? after)
    {
        (string? token, byte[]? account) = await JoinPartyAsync(context, state).ConfigureAwait(false);
        (JoinRequest join, IReadOnlyList<Directory.Storage.JoinMessage> messages) = state.Directory.JoinExchange(Json.Id(id, "id"), token, account, after ?? 0);
        return View(join, messages);
    }

    private static async Task<IResult> PostJoinAsync(HttpContext context, ServerState state, string id)
    {
        (string? token, byte[]? account) = await JoinPartyAsync(context, state).ConfigureAwait(false);
        JoinPost post = Json.Parse<JoinPost>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        byte[] body = Json.Base64(post.Body, "body");
        if (body.Length > 16 * 1024)
        {
            throw new BadInputException("A join message is at most 16 KiB.");
        }

        byte[] joinId = Json.Id(id, "id");
        state.Directory.PostJoinMessage(joinId, token, token is null ? account : null, body);
        if (state.Misbehaviour is { } lying)
        {
            await lying.Joins.OnMessageAsync(joinId, fromJoiner: token is not null, body).ConfigureAwait(false);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> RefuseJoinAsync(HttpContext context, ServerState state, string id)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: true).ConfigureAwait(false);
        await state.Directory.RefuseJoinAsync(Json.Id(id, "id"), device.AccountId).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<JoinList> PendingJoinsAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        return new JoinList(state.Directory.PendingJoins(device.AccountId).Select(j => View(j, [])).ToArray());
    }

    private static async Task<SendResponse> SendAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        SendRequest request = Json.Parse<SendRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        (byte[], byte[])[] messages = (request.Messages ?? []).Select((m, i) => (Json.Id(m.RecipientDevice, $"messages[{i}].recipientDevice"), Json.Base64(m.Body, $"messages[{i}].body"))).ToArray();
        return new SendResponse(state.Misbehaviour is { } lying ? lying.Deliver(state.Relays, device.AccountId, device.DeviceId, messages) : state.Relays.Send(device.AccountId, device.DeviceId, messages));
    }

    private static async Task<Inbox> InboxAsync(HttpContext context, ServerState state, int? max)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        return new Inbox(state.Relays.Inbox(device.DeviceId, max ?? 100)
            .Select(m => new IncomingMessage(m.Id, Conversions.Hex(m.SenderAccount), Conversions.Hex(m.SenderDevice), m.ReceivedMs, Convert.ToBase64String(m.Body))).ToArray());
    }

    private static async Task<IResult> AckAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        AckRequest request = Json.Parse<AckRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        if (request.Ids is not { Count: > 0 and <= 500 })
        {
            throw new BadInputException("Acknowledge 1 to 500 messages at a time.");
        }

        state.Relays.Acknowledge(device.DeviceId, request.Ids);
        return Results.NoContent();
    }

    private static async Task<IResult> PutBlobAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        BlobRequest request = Json.Parse<BlobRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        long id = state.Relays.PutBlob(device.AccountId, device.DeviceId, Json.Id(request.RecipientDevice, "recipientDevice"), request.Version, Json.Base64(request.Body, "body"));
        return Results.Created($"/v1/keychain/blobs/{id}", null);
    }

    private static async Task<BlobList> BlobsAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        return new BlobList(state.Relays.Blobs(device.DeviceId)
            .Select(b => new BlobMessage(b.Id, Conversions.Hex(b.SenderDevice), b.Version, b.ReceivedMs, Convert.ToBase64String(b.Body))).ToArray());
    }

    private static async Task<IResult> AckBlobAsync(HttpContext context, ServerState state, long id)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        return state.Relays.AcknowledgeBlob(device.DeviceId, id) ? Results.NoContent() : throw new DirectoryException(DirectoryError.NotFound, "No such blob for this device.");
    }

    /// <summary>The joining device (by its token) or a signed-in device of the account.</summary>
    private static async Task<(string? Token, byte[]? Account)> JoinPartyAsync(HttpContext context, ServerState state)
    {
        string? token = context.Request.Headers[JoinTokenHeader];
        if (token is not null)
        {
            await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false);
            return (token, null);
        }

        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        return (null, device.AccountId);
    }

    private static JoinView View(JoinRequest join, IReadOnlyList<Directory.Storage.JoinMessage> messages) => new(
        Conversions.Hex(join.JoinId),
        Conversions.Hex(join.AccountId),
        join.State.ToString().ToLowerInvariant(),
        Conversions.Hex(join.Device.DeviceId),
        Conversions.Message(join.Device.Facts),
        Convert.ToBase64String(join.SigningKey),
        Convert.ToBase64String(join.EncryptionKey),
        Convert.ToBase64String(join.Device.RequestKey),
        join.CreatedMs,
        messages.Select(m => new JoinMessageItem(m.Sequence, m.FromJoiner, Convert.ToBase64String(m.Body))).ToArray());
}
