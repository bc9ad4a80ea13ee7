// The emergency stop: suspend every agent at once (`agent:*`), after a confirmation; and lift it.

import { useState } from "preact/hooks";
import { AgentService, type Suspension } from "../../../src/gen/latch/v1/agent_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { ScopeNote } from "../ui/scope-note.js";
import { TimeText } from "../ui/time-text.js";
import { AGENT_TYPE } from "./agent-roster.js";
import { ResumeButton } from "./resume-button.js";
import { SuspendForm } from "./suspend-form.js";

const EVERY_AGENT = `${AGENT_TYPE}:*`;

/** EmergencyStopProps are the wildcard's suspension, if any, and what to do after a change. */
export interface EmergencyStopProps {
  readonly stop: Suspension | undefined;
  readonly onChange: () => void;
}

/**
 * EmergencyStop shows whether every agent is stopped; stopping asks for a confirmation and a
 * reason first, since it denies every check any agent takes part in, on every replica.
 */
export function EmergencyStop({ stop, onChange }: EmergencyStopProps) {
  const [confirming, setConfirming] = useState(false);
  const allows = useAllows();
  if (stop !== undefined) {
    return (
      <section class="emergency stopped" aria-labelledby="emergency">
        <h2 id="emergency">Every agent is stopped</h2>
        <p>
          Since <TimeText at={stop.suspendedAt} />, by {stop.suspendedBy}: {stop.reason}
          {stop.expiresAt === undefined ? null : (
            <>
              {" "}
              (until <TimeText at={stop.expiresAt} />)
            </>
          )}
        </p>
        {allows(AgentService.method.resume) ? (
          <ResumeButton subject={EVERY_AGENT} label="Resume all agents" onDone={onChange} />
        ) : (
          <ScopeNote method={AgentService.method.resume} action="Resuming all agents" />
        )}
      </section>
    );
  }
  return (
    <section class="emergency" aria-labelledby="emergency">
      <h2 id="emergency">Emergency stop</h2>
      {!allows(AgentService.method.suspend) ? (
        <ScopeNote method={AgentService.method.suspend} action="Stopping all agents" />
      ) : confirming ? (
        <>
          <p>
            <strong>
              Stop every agent? Every check any agent takes part in is denied, on every replica,
              until you resume them.
            </strong>
          </p>
          <SuspendForm
            subject={EVERY_AGENT}
            confirmLabel="Yes, stop every agent"
            onDone={() => {
              setConfirming(false);
              onChange();
            }}
            onCancel={() => setConfirming(false)}
          />
        </>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Stop all agents…
        </button>
      )}
    </section>
  );
}
