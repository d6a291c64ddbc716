using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory.Accounts;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Dev;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// Development servers only (<c>--dev</c>; never mapped otherwise): the codes the dev sender "sent", the clock moved
/// by hand, and the malicious-server scenarios.
/// </summary>
internal static class DevEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder dev = app.MapGroup("/dev").WithTags("Development");
        dev.MapGet("/codes/{handle}", Code).WithSummary("The last one-time code sent to a handle (development servers only)").Produces<DevCodeMessage>();
        dev.MapPost("/clock", ClockAsync).WithSummary("Moves the server's clock forward (development servers only)").Accepts<DevClockRequest>("application/json").Produces<DevClockResponse>();
        dev.MapPost("/misbehave", MisbehaveAsync).WithSummary("Plays a malicious-server scenario, e.g. inject-device (development servers only)").Accepts<DevMisbehaveRequest>("application/json").Produces<DevMisbehaveResponse>();
        dev.MapGet("/misbehave", (ServerState s) => new DevAttackReport(s.Misbehaviour!.Attacker.ReadTexts.Count, s.Misbehaviour.Attacker.ReadTexts, s.Misbehaviour.Playing))
            .WithSummary("What the attacker could read with the keys it made, and the scenarios playing (development servers only)").Produces<DevAttackReport>();
    }

    private static IResult Code(ServerState state, string handle)
    {
        string label;
        try
        {
            label = HandleName.Normalize(handle);
        }
        catch (InvalidHandleException e)
        {
            throw new BadInputException(e.Message);
        }

        string? code = state.DevCodes?.Latest(label);
        return code is null
            ? Results.Problem(detail: "No code was sent to that handle.", statusCode: 404, title: "not-found", type: "urn:openckv:problem:not-found")
            : Results.Json(new DevCodeMessage(label, code), Json.Options);
    }

    private static async Task<IResult> ClockAsync(HttpContext context, ServerState state)
    {
        DevClockRequest request = Json.Parse<DevClockRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        DevClock clock = state.DevClock ?? throw new InvalidOperationException("A development server has a movable clock.");
        if (request.AdvanceMs is < 0 or > DevClock.MaxAdvanceMs)
        {
            throw new BadInputException($"'advanceMs' is from 0 to {DevClock.MaxAdvanceMs} (10 years); the clock only moves forward.");
        }

        DateTimeOffset now;
        try
        {
            now = clock.Advance(request.AdvanceMs);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new BadInputException(e.Message);
        }

        return Results.Json(new DevClockResponse(now.ToUnixTimeMilliseconds()), Json.Options);
    }

    private static async Task<IResult> MisbehaveAsync(HttpContext context, ServerState state)
    {
        DevMisbehaveRequest request = Json.Parse<DevMisbehaveRequest>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        if (!Misbehaviour.Known.Contains(request.Scenario, StringComparer.Ordinal))
        {
            return Results.Problem(
                detail: $"Unknown scenario '{request.Scenario}'; the known ones are {string.Join(", ", Misbehaviour.Known)}.",
                statusCode: 400,
                title: "unknown-scenario",
                type: "urn:openckv:problem:unknown-scenario",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["evidence"] = Misbehaviour.Known });
        }

        if (!Misbehaviour.LogWide.Contains(request.Scenario) && string.IsNullOrEmpty(request.Handle))
        {
            throw new BadInputException($"'handle' is required for {request.Scenario}.");
        }

        if (Misbehaviour.BetweenTwo.Contains(request.Scenario) && string.IsNullOrEmpty(request.To))
        {
            throw new BadInputException($"'to' is required for {request.Scenario}.");
        }

        if (request.Scenario == Misbehaviour.RetiredKey && (request.Key is not { Length: 64 } || !request.Key.All(char.IsAsciiHexDigit)))
        {
            throw new BadInputException("'key' is the retired account key's private scalar, 64 hex digits, for retired-key.");
        }

        return Results.Json(await Misbehaviour.PlayAsync(state.Directory, state.Relays, state.Misbehaviour!, request).ConfigureAwait(false), Json.Options);
    }
}
