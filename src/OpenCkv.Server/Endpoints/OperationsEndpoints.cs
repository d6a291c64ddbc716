using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Directory.Accounts;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>Health, metrics, and — in development mode only — the codes the dev sender "sent".</summary>
internal static class OperationsEndpoints
{
    public static void Map(IEndpointRouteBuilder app, bool dev)
    {
        app.MapGet("/health", Health).WithTags("Operations").WithSummary("ok while the sequencer runs; 503 after a failed commit").Produces<HealthMessage>().Produces<HealthMessage>(503);
        app.MapGet("/metrics", (ServerState s) => Results.Text(
            s.Metrics.Render(s.Log.Size, s.Sequencer.EntriesAppended, s.Sequencer.VersionsPublished, s.Sequencer.Fault is null),
            "text/plain; version=0.0.4")).WithTags("Operations").WithSummary("Prometheus metrics").ExcludeFromDescription();
        if (dev)
        {
            app.MapGet("/dev/codes/{handle}", DevCode).WithTags("Development").WithSummary("The last one-time code sent to a handle (development servers only)").Produces<DevCodeMessage>();
        }
    }

    private static IResult Health(ServerState state)
    {
        Exception? fault = state.Sequencer.Fault;
        var health = new HealthMessage(fault is null ? "ok" : "failing", state.Log.Size, fault is null ? null : "the sequencer stopped after a failed commit; restart the server", state.Role());
        return Results.Json(health, Json.Options, statusCode: fault is null ? 200 : 503);
    }

    private static IResult DevCode(ServerState state, string handle)
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
}
