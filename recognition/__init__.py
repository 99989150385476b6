"""Team shout-outs for behaviour, the attainment-language guard, co-signs and coverage."""
