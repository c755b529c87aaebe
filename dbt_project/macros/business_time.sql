{#- Position of an instant on the running business clock of int_business_calendar, in
    seconds; `cal` is the alias of the calendar row ASOF-joined on `ts >= cal.open_at`.
    Out of hours the clock stands still at the last close. Null when ts is null or before
    the calendar. The business time between two instants is the difference of positions. -#}
{% macro business_clock(ts, cal) -%}
    ({{ cal }}.business_seconds_before
     + least(greatest(epoch({{ ts }}) - epoch({{ cal }}.open_at), 0), {{ cal }}.open_seconds))
{%- endmacro %}
