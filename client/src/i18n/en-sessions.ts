/** API error codes of live call sessions (`/v1/sessions`), in English (merged into `errors`). */
export const enSessionErrors = {
  unknown_session: 'This call session was not found',
  session_ended: 'The call session has ended: it takes no more turns',
  no_transcript_input: 'Scenario "{{scenario}}" has no start input of type transcript for a live session to fill: add one first',
  too_many_turns: 'A call session holds at most {{limit}} turns: end it and start another',
  session_too_large: 'A call session holds at most {{limit}} characters of turns: end it and start another',
  invalid_last_event_id: 'Last-Event-ID is not an event id of this session',
};
