using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>Health and metrics (the development endpoints are <see cref="DevEndpoints"/>).</summary>
internal static class OperationsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health).WithTags("Operations").WithSummary("ok while the sequencer runs; 503 after a failed commit").Produces<HealthMessage>().Produces<HealthMessage>(503);
        app.MapGet("/metrics", (ServerState s) => Results.Text(
            s.Metrics.Render(s.Log.Size, s.Sequencer.EntriesAppended, s.Sequencer.VersionsPublished, s.Sequencer.AppendTime, s.Sequencer.Fault is null),
            "text/plain; version=0.0.4")).WithTags("Operations").WithSummary("Prometheus metrics").ExcludeFromDescription();
    }

    private static IResult Health(ServerState state)
    {
        Exception? fault = state.Sequencer.Fault;
        var health = new HealthMessage(fault is null ? "ok" : "failing", state.Log.Size, fault is null ? null : "the sequencer stopped after a failed commit; restart the server", state.Role());
        return Results.Json(health, Json.Options, statusCode: fault is null ? 200 : 503);
    }
}
