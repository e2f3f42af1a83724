package taxonomy

// Programme returns the programme with the id, and whether there is one.
func (t *Taxonomy) Programme(id string) (Programme, bool) {
	for _, p := range t.progs {
		if p.ID == id {
			return p, true
		}
	}
	return Programme{}, false
}

// UnitOf returns the responsible unit of the programme with the id; empty for an unknown id.
func (t *Taxonomy) UnitOf(id string) string {
	p, _ := t.Programme(id)
	return p.Unit
}
