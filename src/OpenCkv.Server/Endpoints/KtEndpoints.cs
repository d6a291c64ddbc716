using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory.Authentication;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// The KEYTRANS user operations (KT §13) over HTTP: each takes the request in its TLS encoding and answers in the
/// same (<c>application/octet-stream</c>). Searching needs an authenticated device and is rate limited per device
/// (DESIGN §7); monitoring and the distinguished-heads walk stay open, as the draft allows monitoring after search
/// access ends. An update takes no values here — records reach the log only through the account endpoints, which
/// check them — so it serves an owner the chained responses for the versions published since its greatest one.
/// </summary>
internal static class KtEndpoints
{
    public const string Octets = "application/octet-stream";

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder kt = app.MapGroup("/v1/kt").WithTags("Key transparency");
        kt.MapPost("/search", SearchAsync).WithSummary("Search for a label (KT §13.1); authenticated, rate limited per device").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/monitor", (HttpContext c, ServerState s) => Answer(c, s, (SearchlessBody<ContactMonitorRequest> r) => KtMessages.Encode(s.Log.ContactMonitor(r.Request), s.Log.Configuration.Mode)))
            .WithSummary("Contact monitoring (KT §13.2)").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/owner-init", (HttpContext c, ServerState s) => Answer(c, s, (SearchlessBody<OwnerInitRequest> r) => KtMessages.Encode(s.Log.OwnerInit(r.Request), s.Log.Configuration.Mode)))
            .WithSummary("Owner initialization (KT §13.3)").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/owner-monitor", (HttpContext c, ServerState s) => Answer(c, s, (SearchlessBody<OwnerMonitorRequest> r) => KtMessages.Encode(s.Log.OwnerMonitor(r.Request), s.Log.Configuration.Mode)))
            .WithSummary("Owner monitoring (KT §13.4)").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/distinguished", (HttpContext c, ServerState s) => Answer(c, s, (SearchlessBody<DistinguishedRequest> r) => KtMessages.Encode(s.Log.DistinguishedHeads(r.Request), s.Log.Configuration.Mode)))
            .WithSummary("Walk the recent distinguished entries (KT §13.6); without last, a self-contained answer for gossip").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
        kt.MapPost("/update", UpdateAsync).WithSummary("The chained update responses since the owner's greatest version (KT §13.5); no values").Accepts<byte[]>(Octets).Produces<byte[]>(200, Octets);
    }

    private static async Task<IResult> SearchAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        state.Limits.Search(device.DeviceId);
        SearchRequest request = TlsCodec.Decode<SearchRequest>(RequestBody(context));
        byte[] answer = Run(state, () => KtMessages.Encode(state.Log.Search(request), request.Version is not null, state.Log.Configuration.Mode));
        return Results.Bytes(answer, Octets);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, ServerState state)
    {
        AuthenticatedDevice device = await DeviceAuthentication.RequireAsync(context, state, signatureRequired: false).ConfigureAwait(false);
        UpdateRequest request = TlsCodec.Decode<UpdateRequest>(RequestBody(context));
        if (request.Values.Count > 0)
        {
            throw new KtRequestException("Values are published through POST /v1/account/changes, which checks them; an update here names none.");
        }

        // Only the account holding the label follows its updates this way.
        string label = System.Text.Encoding.UTF8.GetString(request.Label);
        if (!(state.Directory.View(device.AccountId)?.Records.ContainsKey(label) ?? false))
        {
            throw new KtRequestException("The label is not a handle of the authenticated account.");
        }

        byte[] answer = Run(state, () => KtMessages.Encode(state.Log.Update(request, 0), state.Log.Configuration.Mode));
        return Results.Bytes(answer, Octets);
    }

    private static async Task<IResult> Answer<T>(HttpContext context, ServerState state, Func<SearchlessBody<T>, byte[]> respond)
        where T : ITlsCodec<T>
    {
        byte[] body = await Http.RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false);
        var request = new SearchlessBody<T>(TlsCodec.Decode<T>(body));
        return Results.Bytes(Run(state, () => respond(request)), Octets);
    }

    private static byte[] RequestBody(HttpContext context) => (byte[])context.Items["ckv.body"]!;

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

    private readonly record struct SearchlessBody<T>(T Request);
}
