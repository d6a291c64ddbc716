using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory.Authentication;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// The KEYTRANS user operations (KT §13) over HTTP: each takes the request in its TLS encoding and answers in the
/// same (<c>application/octet-stream</c>). Searching needs an authenticated device and is rate limited per device
/// (DESIGN §7); contact monitoring needs an authenticated device but no search allowance, as the draft allows
/// monitoring after search access ends; the owner's operations (initialization, monitoring, update) answer only the
/// account holding the label, so nobody else learns a label's versions through them; the distinguished-heads walk
/// names no label and stays open. An update takes no values here — records reach the log only through the account
/// endpoints, which check them — so it serves an owner the chained responses for the versions published since its
/// greatest one.
/// </summary>
internal static class KtEndpoints
{
    public const string Octets = "application/octet-stream";

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder kt = app.MapGroup("/v1/kt").WithTags("Key transparency");
        kt.MapPost("/search", SearchAsync).WithSummary("Search for a label (KT §13.1); authenticated, rate limited per device").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/monitor", (HttpContext c, ServerState s) => Answer(c, s, Caller.Device, (ContactMonitorRequest r, TransparencyLog log) => KtMessages.Encode(log.ContactMonitor(r), log.Configuration.Mode), _ => null))
            .WithSummary("Contact monitoring (KT §13.2); an authenticated device").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/owner-init", (HttpContext c, ServerState s) => Answer(c, s, Caller.Owner, (OwnerInitRequest r, TransparencyLog log) => KtMessages.Encode(log.OwnerInit(r), log.Configuration.Mode), r => r.Label))
            .WithSummary("Owner initialization (KT §13.3); the label's own account").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/owner-monitor", (HttpContext c, ServerState s) => Answer(c, s, Caller.Owner, (OwnerMonitorRequest r, TransparencyLog log) => KtMessages.Encode(log.OwnerMonitor(r), log.Configuration.Mode), r => r.Label))
            .WithSummary("Owner monitoring (KT §13.4); the label's own account").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/distinguished", (HttpContext c, ServerState s) => Answer(c, s, Caller.Anyone, (DistinguishedRequest r, TransparencyLog log) => KtMessages.Encode(log.DistinguishedHeads(r), log.Configuration.Mode), _ => null))
            .WithSummary("Walk the recent distinguished entries (KT §13.6); without last, a self-contained answer for gossip").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/update", UpdateAsync).WithSummary("The chained update responses since the owner's greatest version (KT §13.5); no values").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
    }

    private static async Task<IResult> SearchAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        state.Limits.Search(device.DeviceId);
        SearchRequest request = TlsCodec.Decode<SearchRequest>(await Http.RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        TransparencyLog log = state.Misbehaviour?.ViewFor(context, device.AccountId) ?? state.Log;
        byte[] answer = Run(state, () => KtMessages.Encode(log.Search(request), request.Version is not null, log.Configuration.Mode));
        return Results.Bytes(state.Misbehaviour?.Search(request, answer, state.Log.Configuration.Mode) ?? answer, Octets);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        UpdateRequest request = TlsCodec.Decode<UpdateRequest>(await Http.RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        if (request.Values.Count > 0)
        {
            throw new KtRequestException("Values are published through POST /v1/account/changes, which checks them; an update here names none.");
        }

        // Only the account holding the label follows its updates this way.
        RequireOwner(state, device, request.Label);

        TransparencyLog log = state.Misbehaviour?.ViewFor(context, device.AccountId) ?? state.Log;
        byte[] answer = Run(state, () => KtMessages.Encode(log.Update(request, 0), log.Configuration.Mode));
        return Results.Bytes(answer, Octets);
    }

    private static async Task<IResult> Answer<T>(HttpContext context, ServerState state, Caller caller, Func<T, TransparencyLog, byte[]> respond, Func<T, byte[]?> label)
        where T : ITlsCodec<T>
    {
        AuthenticatedDevice? device = caller == Caller.Anyone ? null : await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        byte[] body = await Http.RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false);
        T request = TlsCodec.Decode<T>(body);
        if (caller == Caller.Owner)
        {
            RequireOwner(state, device!, label(request)!);
        }

        // A development server playing split-view answers the victim's devices from its other branch.
        TransparencyLog log = state.Misbehaviour?.ViewFor(context, device?.AccountId) ?? state.Log;
        return Results.Bytes(Run(state, () => respond(request, log)), Octets);
    }

    private static void RequireOwner(ServerState state, AuthenticatedDevice device, byte[] label)
    {
        if (!(state.Directory.View(device.AccountId)?.Records.ContainsKey(System.Text.Encoding.UTF8.GetString(label)) ?? false))
        {
            throw new KtRequestException("The label is not a handle of the authenticated account.");
        }
    }

    /// <summary>Refuses to answer before the log can: no entry yet, or (third-party auditing) no auditor head yet.</summary>
    private static void RequireReady(ServerState state)
    {
        if (state.Log.Size == 0)
        {
            throw new NotReadyException("The log has no entries yet.");
        }

        if (state.Log.Configuration.Mode == DeploymentMode.ThirdPartyAuditing && state.Log.AuditorHead is null)
        {
            throw new NotReadyException("The auditor has not signed a head of this log yet.");
        }
    }

    /// <summary>The log refuses impossible requests (a size it never had, a version ahead) with ArgumentException.</summary>
    private static byte[] Run(ServerState state, Func<byte[]> operation)
    {
        try
        {
            RequireReady(state);
            return operation();
        }
        catch (ArgumentException e)
        {
            throw new KtRequestException(e.Message);
        }
    }

    private enum Caller
    {
        Anyone,
        Device,
        Owner,
    }
}
