# language: fr
Fonctionnalité: Présence au stage et attestation
  Seul un conducteur présent et à l'heure les deux jours reçoit l'attestation (R34) ; le centre la
  transmet à la préfecture (R38), qui crédite dans le délai d'un mois (R39, D4).

  Contexte:
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026

  @R34 @R36
  Plan du scénario: Sans présence complète, pas d'attestation et retour en attente d'inscription
    Étant donné le conducteur s'inscrit au stage des 05/06/2026 et 06/06/2026
    Quand le conducteur est <jour 1> le premier jour et <jour 2> le second jour
    Alors le dossier est en attente d'inscription
    Et aucun point n'est encore crédité
    Et l'échéance est le 10/07/2026
    Quand l'agent tente d'enregistrer une attestation reçue le 15/06/2026
    Alors la demande est refusée en citant la règle R34

    Exemples:
      | jour 1    | jour 2    |
      | présent   | absent    |
      | en retard | présent   |

  @R38 @R39 @D4 @D5
  Scénario: L'attestation reçue ouvre la vérification par l'agent, à faire dans le mois
    Quand le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Alors le dossier est en attente d'attestation
    Et le centre doit transmettre l'attestation avant le 21/06/2026
    Quand l'attestation est reçue le 15/06/2026
    Alors le dossier est en vérification d'attestation
    Et le préfet doit créditer les points avant le 15/07/2026
    Et une tâche « verification_attestation » est ouverte

  @R34 @R38
  Scénario: L'agent refuse une attestation irrégulière
    Quand le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue le 15/06/2026
    Et l'agent refuse l'attestation pour « Attestation non signée par le centre »
    Alors le solde du permis est de 3 points
